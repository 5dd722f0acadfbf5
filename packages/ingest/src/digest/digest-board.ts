import type { ContentFacts } from '@sluice/core';
import type { RedisClient, RedisKeys } from '@sluice/repository';

/** What a digest leaves for the ingest job: the part's content, or why the job must stream it itself. */
export type DigestResult =
  | ({ kind: 'file'; pendingKey: string; gzipLength?: number; bytes: number } & ContentFacts)
  | { kind: 'fallback'; reason: string };

/** Who processes the part: the digest job, or the ingest job (the digest never started or died). */
export type DigestOwner = 'digest' | 'ingest';

export interface DigestState {
  /** Spool chunks written so far, in order. */
  chunks: string[];
  /** The API has written the part's last chunk. */
  ended: boolean;
  /** The request failed; its spool is gone. */
  aborted: boolean;
  owner: DigestOwner | null;
  /** When the digest last said it was alive (ms since the epoch), 0 before it started. */
  beat: number;
  result: DigestResult | null;
}

/** Boards outlive any upload; they expire by themselves. */
const boardTtlSeconds = 24 * 3600;
/** Signals kept unread per side: enough to wake a waiter, never a growing list. */
const signalsKept = 4;

/** Waits for the other side to change a board, without asking it again and again. */
export interface BoardWaiter {
  /** Returns once the board changed for this side, or after `timeoutMs`, whichever is first. */
  wait(timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * One Redis hash per large part in flight, through which the API node receiving the part and the
 * worker digesting it meet (run-digest.ts): the API lists each spool chunk once it is written and
 * says when the part ended or the request failed; the worker beats while it runs and leaves its
 * result; whichever of the digest and the ingest job claims the part first processes it. Each
 * change the other side waits for is also signalled on a short list (a chunk, the end or the
 * abort to the digest; the result to the ingest job), which a waiter takes with a blocking pop
 * on a connection of its own: it wakes when the change lands instead of polling the board.
 */
export class DigestBoard {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async chunkWritten(digestId: string, index: number, key: string): Promise<void> {
    const board = this.keys.digestBoard(digestId);
    if (index === 0)
      await this.redis.pipeline().hset(board, 'chunk:0', key, 'chunks', 1).expire(board, boardTtlSeconds).exec();
    else await this.redis.hset(board, `chunk:${index}`, key, 'chunks', index + 1);
    await this.signal(digestId, 'digest');
  }

  async end(digestId: string): Promise<void> {
    await this.redis.hset(this.keys.digestBoard(digestId), 'ended', 1);
    await this.signal(digestId, 'digest');
  }

  async abort(digestId: string): Promise<void> {
    const board = this.keys.digestBoard(digestId);
    await this.redis.pipeline().hset(board, 'aborted', 1).expire(board, boardTtlSeconds).exec();
    await this.signal(digestId, 'digest');
  }

  /** Takes the part for `who` unless the other took it first; returns who has it. */
  async claim(digestId: string, who: DigestOwner): Promise<DigestOwner> {
    const board = this.keys.digestBoard(digestId);
    const [[, won], [, owner]] = (await this.redis
      .pipeline()
      .hsetnx(board, 'owner', who)
      .hget(board, 'owner')
      .exec()) as [[null, number], [null, DigestOwner]];
    return won === 1 ? who : owner;
  }

  async beat(digestId: string): Promise<void> {
    await this.redis.hset(this.keys.digestBoard(digestId), 'beat', Date.now());
  }

  async finish(digestId: string, result: DigestResult): Promise<void> {
    await this.redis.hset(this.keys.digestBoard(digestId), 'result', JSON.stringify(result));
    await this.signal(digestId, 'ingest');
  }

  /**
   * A waiter for changes meant for `to`, on a connection of its own (a blocking pop holds its
   * connection). If Redis fails it, it waits out the timeout instead: the caller reads the board
   * after every wait, so a lost signal costs one timeout, never a wrong answer.
   */
  waiter(digestId: string, to: 'digest' | 'ingest'): BoardWaiter {
    const key = this.keys.digestSignal(digestId, to);
    // duplicate() is generic on both Redis and Cluster, so the union is not callable: name the shape both share
    const source: { duplicate(): RedisClient } = this.redis;
    const connection = source.duplicate();
    connection.on('error', () => undefined);
    return {
      wait: async (timeoutMs) => {
        const started = Date.now();
        try {
          await connection.blpop(key, Math.max(timeoutMs, 10) / 1000);
        } catch {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, timeoutMs - (Date.now() - started))));
        }
      },
      close: () => connection.disconnect(),
    };
  }

  private async signal(digestId: string, to: 'digest' | 'ingest'): Promise<void> {
    const key = this.keys.digestSignal(digestId, to);
    await this.redis.pipeline().rpush(key, '1').ltrim(key, -signalsKept, -1).expire(key, boardTtlSeconds).exec();
  }

  async read(digestId: string): Promise<DigestState> {
    const fields = await this.redis.hgetall(this.keys.digestBoard(digestId));
    const count = Number(fields.chunks ?? 0);
    return {
      chunks: Array.from({ length: count }, (_, i) => fields[`chunk:${i}`]!),
      ended: fields.ended === '1',
      aborted: fields.aborted === '1',
      owner: (fields.owner as DigestOwner | undefined) ?? null,
      beat: Number(fields.beat ?? 0),
      result: fields.result === undefined ? null : (JSON.parse(fields.result) as DigestResult),
    };
  }
}
