import type { Readable } from 'node:stream';

/**
 * Reads a stream into one Buffer that owns its whole ArrayBuffer. Pooled or sliced Buffers must
 * not be handed to a worker thread by transfer: that would detach memory other Buffers share.
 */
export async function readExact(stream: Readable, sizeHint?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    total += buffer.length;
  }
  const out = Buffer.from(new ArrayBuffer(sizeHint !== undefined && sizeHint === total ? sizeHint : total));
  let offset = 0;
  for (const chunk of chunks) {
    chunk.copy(out, offset);
    offset += chunk.length;
  }
  return out;
}
