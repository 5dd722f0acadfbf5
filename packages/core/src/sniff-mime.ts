export type DataType = 'text' | 'image' | 'video' | 'audio' | 'tabular' | 'binary';

export interface SniffedType {
  mimeType: string;
  dataType: DataType;
}

/** Magic numbers: [offset, bytes, mime]. A short list of what datasets carry, not a full registry. */
const signatures: ReadonlyArray<readonly [number, readonly number[], string]> = [
  [0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'image/png'],
  [0, [0xff, 0xd8, 0xff], 'image/jpeg'],
  [0, [0x47, 0x49, 0x46, 0x38], 'image/gif'],
  [0, [0x42, 0x4d], 'image/bmp'],
  [0, [0x49, 0x49, 0x2a, 0x00], 'image/tiff'],
  [0, [0x4d, 0x4d, 0x00, 0x2a], 'image/tiff'],
  [0, [0x25, 0x50, 0x44, 0x46, 0x2d], 'application/pdf'],
  [0, [0x50, 0x4b, 0x03, 0x04], 'application/zip'],
  [0, [0x1f, 0x8b], 'application/gzip'],
  [0, [0x1a, 0x45, 0xdf, 0xa3], 'video/webm'],
  [0, [0x49, 0x44, 0x33], 'audio/mpeg'],
  [0, [0x66, 0x4c, 0x61, 0x43], 'audio/x-flac'],
  [0, [0x4f, 0x67, 0x67, 0x53], 'audio/ogg'],
  [4, [0x66, 0x74, 0x79, 0x70], 'video/mp4'],
];

const riffKinds: Record<string, string> = { WEBP: 'image/webp', WAVE: 'audio/x-wav', 'AVI ': 'video/x-msvideo' };
const tabularExtensions = new Set(['csv', 'tsv', 'parquet', 'arrow', 'ndjson', 'jsonl']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function startsWith(head: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

function isUtf8(head: Uint8Array): boolean {
  // The sample may end inside a multi-byte character; try the cut points a character can have.
  for (let trim = 0; trim < 4 && trim <= head.length; trim++) {
    try {
      utf8.decode(head.subarray(0, head.length - trim));
      return true;
    } catch {
      continue;
    }
  }
  return false;
}

export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/**
 * The mime type and Oxen data type of a file from its first bytes (4 KiB are plenty) and its path,
 * in upstream's order: magic bytes, then `.md`, then valid UTF-8 as text/plain, else binary.
 */
export function sniffMime(head: Uint8Array, path: string): SniffedType {
  const extension = extensionOf(path);
  let mimeType = signatures.find(([offset, bytes]) => startsWith(head, offset, bytes))?.[2];
  if (mimeType === undefined && startsWith(head, 0, [0x52, 0x49, 0x46, 0x46]) && head.length >= 12) {
    mimeType = riffKinds[String.fromCharCode(...head.subarray(8, 12))];
  }
  mimeType ??= extension === 'md' ? 'text/markdown' : isUtf8(head) ? 'text/plain' : 'application/octet-stream';
  return { mimeType, dataType: dataTypeOf(mimeType, extension) };
}

function dataTypeOf(mimeType: string, extension: string): DataType {
  if (tabularExtensions.has(extension)) return 'tabular';
  const top = mimeType.slice(0, mimeType.indexOf('/'));
  if (top === 'image' || top === 'video' || top === 'audio' || top === 'text') return top;
  return 'binary';
}
