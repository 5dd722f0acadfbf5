import type { SniffedType } from './sniff-mime.js';

/**
 * What is known of a file's content once its bytes are hashed and sniffed: the same four facts
 * whether a thread inflated it, a stream or a digest read it, or it was staged by hash.
 */
export interface ContentFacts extends SniffedType {
  hash: string;
  size: number;
}
