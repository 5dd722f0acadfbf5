/**
 * A part larger than this (as sent) gets a spool object of its own and is streamed end to end;
 * smaller parts of one request are packed together into shared spool segments. The front door
 * and the worker both decide by this one number.
 */
export const inlinePartMaxBytes = 1024 * 1024;

/** A spool segment (packed small parts) is written once it reaches this size. */
export const spoolSegmentBytes = 8 * 1024 * 1024;

/**
 * A large part is spooled as objects of this size (the last one shorter), so that a worker can
 * start on it while the rest still arrives (see run-digest.ts); a part longer than one chunk gets
 * such an early start.
 */
export const largePartChunkBytes = 32 * 1024 * 1024;
