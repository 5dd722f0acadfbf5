import { download, type DownloadSummary } from '../download.js';
import { DownloadReporter } from '../download-reporter.js';
import type { GzipMode } from '../gzip-choice.js';
import type { Remote } from '../remote.js';
import { mib } from './mib.js';

function summaryLines(summary: DownloadSummary, where: string): string[] {
  const files = summary.fetched + summary.skipped + summary.failed.length;
  return [
    `downloaded ${where} at ${summary.commit} into ${summary.to} in ${summary.seconds.toFixed(1)} s`,
    `  files ${files}: fetched ${summary.fetched}, skipped ${summary.skipped} (identical here), failed ` +
      `${summary.failed.length}; ` +
      `${summary.verified} hash(es) checked`,
    `  fetched ${mib(summary.bytesFetched)} MiB ` +
      `(${mib(summary.bytesFetched / Math.max(summary.seconds, 0.001))} MiB/s) ` +
      `in ${summary.requests} archive request(s)`,
    ...(summary.failed.some((f) => f.reason.startsWith('local_conflict'))
      ? ['  local conflicts: move what is in the way (or download --to elsewhere); a rerun alone fails them again']
      : []),
    ...summary.failed.slice(0, 50).map((f) => `  failed ${f.path}: ${f.reason}`),
    ...(summary.failed.length > 50 ? [`  … and ${summary.failed.length - 50} more`] : []),
    ...(summary.failed.some((f) => !f.reason.startsWith('local_conflict'))
      ? ['  run the same command again to fetch what failed (what is here and whole is not fetched again)']
      : []),
  ];
}

/** `sluice download <remote> [path] [--revision R] [--to DIR]`: see download.ts. */
export async function downloadCommand(options: {
  remote: Remote;
  where: string;
  token?: string;
  path: string;
  revision: string;
  to?: string;
  gzip: GzipMode;
  retryForMs: number;
  json: boolean;
}): Promise<number> {
  const reporter = options.json ? null : new DownloadReporter(process.stderr);
  const summary = await download({
    remote: options.remote,
    path: options.path,
    revision: options.revision,
    gzip: options.gzip,
    retryForMs: options.retryForMs,
    ...(options.token ? { token: options.token } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(reporter ? { onProgress: (p) => reporter.update(p) } : {}),
  });
  const where = `${options.remote.namespace}/${options.remote.repo}${options.path === '' ? '' : `:${options.path}`}`;
  process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${summaryLines(summary, where).join('\n')}\n`);
  return summary.failed.length > 0 ? 1 : 0;
}
