import type { Readable } from 'node:stream';

export interface BlobInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface PutOptions {
  /**
   * false: the object need not survive a power cut once put returns (stores that can skip a
   * flush, like the filesystem store's fsync, do). Default true.
   */
  durable?: boolean;
}

/**
 * Object storage as sluice needs it: the spool (short-lived uploads) and the content-addressed
 * version and object stores. Writes are atomic (a reader sees the whole object or nothing).
 * Failures to reach the store throw SluiceError `store_unavailable`; a missing key throws
 * `resource_not_found`.
 */
export interface BlobStore {
  /**
   * Stores a buffer, a list of buffers (written in order, never concatenated where the store can
   * avoid it) or a stream of unknown length at `key`, replacing what was there.
   */
  put(key: string, body: Buffer | readonly Buffer[] | Readable, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Readable>;
  /** `length` bytes from `offset`. */
  getRange(key: string, offset: number, length: number): Promise<Readable>;
  /** The whole object in one Buffer that owns its ArrayBuffer, so it can be transferred to a thread. */
  getBuffer(key: string): Promise<Buffer>;
  /**
   * Gives back the memory of a Buffer `getBuffer` returned, once the caller is done with it and
   * every view of it; a store that keeps objects in memory may fill it again. Optional.
   */
  release?(memory: ArrayBuffer): void;
  stat(key: string): Promise<BlobInfo | null>;
  /** Deletes keys; missing ones are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Moves an object to another key (a rename where the store has one). */
  move(from: string, to: string): Promise<void>;
  list(prefix: string): AsyncIterable<BlobInfo>;
  /** Throws unless the store answers; for readiness checks. */
  ping(): Promise<void>;
  /** Bytes still free where the store writes, or null where the store cannot tell (S3). */
  freeBytes(): Promise<number | null>;
}
