import { writeSync } from 'node:fs';
import type { Logger } from 'pino';

/**
 * The `code` of the one line a sluice process logs when an 'error' event nobody listened for, or a
 * rejection nobody handled, reaches the top: a bug (every stream and promise has an error path).
 * Stable: the test suite fails when any sluice process it ran logged it (test/README.md).
 */
const unhandledErrorCode = 'unhandled_error';

/**
 * Logs such an error in one JSON line with its stack, then exits with 1, as Node would have
 * without the line: after an uncaught exception the process's state is unknown, and a rejection
 * nobody handled may have left a request or job waiting for ever.
 */
export function exitOnUnhandled(logger: Logger): void {
  const report = (kind: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    const msg = `${kind}: a bug in sluice; the process exits`;
    if (logger.isLevelEnabled('fatal')) logger.fatal({ code: unhandledErrorCode, kind, err: error }, msg);
    // said even with SLUICE_LOG_LEVEL=silent: the line is what tells it happened
    else
      writeSync(
        2,
        `${JSON.stringify({
          level: 60,
          code: unhandledErrorCode,
          kind,
          msg,
          err: String((error as Error)?.stack ?? error),
        })}\n`,
      );
    process.exit(1);
  };
  process.on('uncaughtException', report('uncaughtException'));
  process.on('unhandledRejection', report('unhandledRejection'));
}
