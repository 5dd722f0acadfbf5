import type { SluiceClient } from '../sluice-client.js';
import { mib } from './mib.js';

/** `sluice job <id>`: an upload or commit job's state, progress and failed files; exit 1 when it failed. */
export async function jobCommand(client: SluiceClient, id: string, json: boolean): Promise<number> {
  const job = await client.job(id);
  if (json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  else {
    const failures = job.kind === 'ingest' ? (job.files ?? []).filter((f) => 'error' in f) : [];
    process.stdout.write(
      `job ${job.id}: ${job.kind}, ${job.state}` +
        (job.kind === 'ingest'
          ? `, ${job.progress.files_done}/${job.progress.files_total} files, ` +
            `${mib(job.progress.bytes_done)}/${mib(job.progress.bytes_total)} MiB` +
            (job.paths ? `, ${job.paths.length} staged, ${failures.length} failed` : '')
          : job.commit
            ? `, commit ${job.commit.id}`
            : '') +
        '\n',
    );
    for (const f of failures)
      if ('error' in f) process.stdout.write(`  failed ${f.path}: ${f.error.code}: ${f.error.message}\n`);
  }
  return job.state === 'failed' ? 1 : 0;
}
