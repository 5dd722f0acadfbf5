import { existsSync } from 'node:fs';
import type { CliValues } from '../cli-arguments.js';
import { usage } from '../cli-usage.js';
import { duration, gzipMode, positive, size } from '../option-values.js';
import { ProgressReporter } from '../progress-reporter.js';
import { push, type PushSummary } from '../push.js';
import type { Remote } from '../remote.js';
import { UsageError } from '../usage-error.js';
import { mib } from './mib.js';

/** Words as a POSIX shell reads them back: anything beyond plain characters single-quoted. */
const shellLine = (words: string[]) =>
  words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');

function printSummary(summary: PushSummary, where: string, commitCommand: string | null): void {
  const lines = [
    `pushed to ${where} (workspace ${summary.workspaceId}) in ${summary.seconds.toFixed(1)} s`,
    `  files ${summary.files}: sent ${summary.sent}, skipped ${summary.skipped} (already there), staged by ` +
      `hash ${summary.stagedByHash} (content on the server), deduplicated ${summary.deduplicated}, failed ` +
      `${summary.failed.length}` +
      (summary.ignored > 0 ? `, ignored ${summary.ignored} (.gitignore, .sluiceignore, --exclude)` : ''),
    `  sent ${mib(summary.bytesSent)} MiB (${mib(summary.bytesSent / Math.max(summary.seconds, 0.001))} MiB/s)`,
    ...summary.failed.slice(0, 50).map((f) => `  failed ${f.path}: ${f.reason}`),
    ...(summary.failed.length > 50 ? [`  … and ${summary.failed.length - 50} more`] : []),
    summary.commit ? `  commit ${summary.commit.id}: ${summary.commit.message}` : `  ${summary.commitNote}`,
    ...(commitCommand === null ? [] : [`  to commit it: ${commitCommand}`]),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `sluice push <dir or file>...`: the push, then its summary and, after --no-commit, the command that commits. */
export async function pushCommand(
  values: CliValues,
  rest: string[],
  target: { remote: Remote; remoteText: string; author: string; email: string; token: string | undefined },
): Promise<number> {
  const { remote, author, email, token } = target;
  if (rest.length === 0) throw new UsageError(`sluice push needs at least one directory or file\n${usage('push')}`);
  // before anything reaches the server: no workspace for a push that cannot start
  const absent = rest.filter((input) => !existsSync(input));
  if (absent.length > 0) throw new UsageError(`no such file or directory: ${absent.join(', ')}`);
  const reporter = values.json ? null : new ProgressReporter(process.stderr);
  const summary = await push({
    remote,
    inputs: rest,
    branch: values.branch,
    dst: values.dst,
    commit: !values['no-commit'],
    async: values.async,
    message: { ...(values.message ? { message: values.message } : {}), author, email },
    concurrency: positive(values.concurrency, '--concurrency'),
    chunkSize: size(values['chunk-size'], '--chunk-size'),
    batchBytes: size(values['batch-size'], '--batch-size'),
    batchFiles: 1000,
    gzip: gzipMode(values.gzip),
    ...(values.workspace ? { workspace: values.workspace } : {}),
    exclude: values.exclude,
    gitignore: !values['no-gitignore'],
    retryForMs: duration(values['retry-for'], '--retry-for'),
    ...(token ? { token } : {}),
    ...(reporter ? { onProgress: (p) => reporter.update(p) } : {}),
  });
  // the workspace a --no-commit push filled, and the one command that commits it (the token stays out of it)
  const commitCommand =
    values['no-commit'] && summary.failed.length === 0
      ? shellLine([
          'sluice',
          'commit',
          '--remote',
          target.remoteText,
          '--workspace',
          summary.workspaceId,
          '--branch',
          values.branch,
          '-m',
          values.message ?? `sluice push of ${summary.files} file${summary.files === 1 ? '' : 's'}`,
          ...(values.author ? ['--author', values.author] : []),
          ...(values.email ? ['--email', values.email] : []),
        ])
      : null;
  if (values.json)
    process.stdout.write(`${JSON.stringify({ ...summary, ...(commitCommand ? { commitCommand } : {}) })}\n`);
  else printSummary(summary, target.remoteText, commitCommand);
  return summary.failed.length > 0 ? 1 : 0;
}
