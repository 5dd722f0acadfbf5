import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/** One warning per this many milliseconds while a dependency stays down, whatever its clients retry. */
const warnEveryMs = 5_000;

/**
 * Reports a dependency (Redis, the store) going away and coming back in a few lines: one warning
 * when it fails, one per interval while it stays down (with the count of errors meanwhile), one
 * line when it is back. Every client of it reports here, so a Redis outage is not a stream of
 * connection errors from each queue, worker and connection.
 */
export class DependencyWarnings {
  private down: { since: number; lastWarned: number; errors: number } | null = null;

  constructor(
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  failed(error: Error): void {
    const now = Date.now();
    if (this.down === null) {
      this.down = { since: now, lastWarned: now, errors: 1 };
      this.logger.warn({ dependency: this.name, reason: error.message }, `${this.name} unreachable; retrying`);
      return;
    }
    this.down.errors += 1;
    if (now - this.down.lastWarned < warnEveryMs) return;
    this.logger.warn(
      {
        dependency: this.name,
        reason: error.message,
        errors: this.down.errors,
        seconds: Math.round((now - this.down.since) / 1000),
      },
      `${this.name} still unreachable; retrying`,
    );
    this.down.lastWarned = now;
    this.down.errors = 0;
  }

  recovered(): void {
    if (this.down === null) return;
    this.logger.info(
      { dependency: this.name, seconds: Math.round((Date.now() - this.down.since) / 1000) },
      `${this.name} is back`,
    );
    this.down = null;
  }

  /** Listens to an emitter's `error` events (and `ready`, where it has one) for this dependency. */
  watch(emitter: EventEmitter): void {
    emitter.on('error', (error: Error) => this.failed(error));
    emitter.on('ready', () => this.recovered());
  }
}
