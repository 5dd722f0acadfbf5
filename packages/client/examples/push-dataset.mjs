// Push a directory into a sluice (or Oxen) repository from a Node program, with progress.
//   node packages/client/examples/push-dataset.mjs ./my-dataset http://127.0.0.1:3000/ox/my-dataset
import { parseRemote, push, ProgressReporter, SluiceClient } from '@sluice/client';

const [dir, remoteUrl] = process.argv.slice(2);
const remote = parseRemote(remoteUrl);
const client = new SluiceClient({ baseUrl: remote.baseUrl, token: process.env.SLUICE_TOKEN });
if (!(await client.repoExists(remote.namespace, remote.repo))) await client.createRepo(remote.namespace, remote.repo);

const reporter = new ProgressReporter(process.stderr);
const summary = await push({
  remote,
  token: process.env.SLUICE_TOKEN,
  inputs: [dir],
  branch: 'main',
  dst: '',
  commit: true,
  async: true,
  message: { message: `import ${dir}`, author: 'example', email: 'example@localhost' },
  concurrency: 4,
  batchBytes: 10 * 1024 * 1024,
  batchFiles: 1000,
  chunkSize: 10 * 1024 * 1024,
  onProgress: (progress) => reporter.update(progress),
});
console.log(summary.commit ? `commit ${summary.commit.id}` : summary.commitNote, `failed: ${summary.failed.length}`);
process.exit(summary.failed.length > 0 ? 1 : 0);
