import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';

/** Bytes of an answer held ahead of the reader: enough for the files in flight, bounded all the same. */
const aheadBytes = 4 * 1024 * 1024;

/**
 * The answer's bytes through a buffer that ends, rather than fails, when the answer is cut: Node
 * drops what an answer has buffered when its connection closes early, so the files that did
 * arrive whole would be fetched again. Read through this, they are written, and the reader
 * then meets a cut archive (a truncated TarError, or gunzip's unexpected end) and resumes after them.
 */
export function keepWhatArrived(response: IncomingMessage): PassThrough {
  const kept = new PassThrough({ highWaterMark: aheadBytes });
  let ended = false;
  const end = () => {
    if (!ended) kept.end();
    ended = true;
  };
  response.on('data', (chunk: Buffer) => {
    if (!kept.write(chunk)) response.pause();
  });
  kept.on('drain', () => response.resume());
  response.on('end', end);
  response.on('error', end);
  response.on('close', end);
  // the reader stopped (a run's last file, or an error): the answer goes too
  kept.on('close', () => response.destroy());
  return kept;
}
