import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ClientError } from './client-error.js';
import { gzipModes, type GzipMode } from './gzip-choice.js';
import { ProgressReporter } from './progress-reporter.js';
import { push, type PushSummary } from './push.js';
import { parseRemote } from './remote.js';
import { SluiceClient } from './sluice-client.js';
import { RepoReads } from './repo-reads.js';
import type { ReadContext } from './commands/read-context.js';
import { lsCommand } from './commands/ls-command.js';
import { logCommand } from './commands/log-command.js';
import { diffCommand } from './commands/diff-command.js';
import { statusCommand } from './commands/status-command.js';
import { downloadCommand } from './commands/download-command.js';

/** Every command, its synopsis and what it does: the one table `--help` is printed from. */
const commands: Record<string, { synopsis: string; about: string }> = {
  repo: { synopsis: 'sluice repo create --remote http://host:3000/ns/name', about: 'creates the repository' },
  push: {
    synopsis:
      'sluice push <dir or file>... --remote http://host:3000/ns/name [--branch main] [--dst path] ' +
      '[--workspace name]\n' +
      '           [-m message] [--author name] [--email address] [--async] [--no-commit] [--concurrency 4]\n' +
      '           [--batch-size 10MiB] [--chunk-size 10MiB] [--gzip auto|always|never] [--exclude PATTERN]... ' +
      '[--retry-for 30s]\n' +
      '           [--no-gitignore] [--json]',
    about:
      'sends what the branch and the workspace lack (content the server has is staged by hash), then commits ' +
      'when every file made it;\n' +
      '  run the same push again to resume one that stopped. --author and --email default to SLUICE_AUTHOR and ' +
      'SLUICE_EMAIL, then your user name.\n' +
      '  Left out: .git/, what the .gitignore and .sluiceignore of each directory say (and the .gitignore ' +
      'files above it in its\n' +
      '  git work tree), and every --exclude pattern; --no-gitignore reads only .sluiceignore. Ignored files ' +
      'are counted.\n' +
      '  After --no-commit the summary prints the command that commits the workspace.\n' +
      '  --gzip auto (the default) sends small files plain to a server on this machine (loopback) and gzipped ' +
      'to any other.\n' +
      '  --retry-for: how long a request keeps being sent again while the server is away or busy (30s, 10m, ' +
      '2h; default 30s)',
  },
  status: {
    synopsis: 'sluice status --remote http://host:3000/ns/name --workspace id [--limit N] [--json]',
    about:
      'counts what a workspace has staged, then lists each staged path (added, modified, removed), a page at a time',
  },
  ls: {
    synopsis: 'sluice ls <remote> [path] [--revision main] [--limit N] [--json]',
    about:
      'lists a directory at a revision (a branch or a commit id): type, size in bytes and name of each entry;\n' +
      '  a file path shows the file. <remote> is http(s)://host:3000/ns/name (or give --remote)',
  },
  log: {
    synopsis: 'sluice log <remote> [path] [--revision main] [--limit N] [--json]',
    about: 'the commits that changed the path (every commit, for the repository), newest first',
  },
  download: {
    synopsis:
      'sluice download <remote> [path] [--revision main] [--to DIR] [--gzip auto|always|never] ' +
      '[--retry-for 30s] [--json]',
    about:
      'downloads a directory (or a file) at a revision through the archive route into DIR (default: a ' +
      'directory named\n' +
      '  after the path, or the repository; . for a file). Every file is checked against its hash and written ' +
      'under a\n' +
      '  temporary name, renamed when whole; files already here with the same content are not fetched; a cut ' +
      'transfer\n' +
      '  resumes after its last whole file (for --retry-for), and the same command again resumes from what is ' +
      'on disk.\n' +
      '  A file whose bytes do not match their hash is reported and not written (exit 1).',
  },
  diff: {
    synopsis: 'sluice diff <remote> <rev-a> <rev-b> [path] [--limit N] [--json]',
    about: 'the files added, modified and removed from rev-a to rev-b (branches or commit ids), under path if given',
  },
  commit: {
    synopsis:
      'sluice commit --remote http://host:3000/ns/name --workspace id [--branch main] -m message ' +
      '[--author name] [--email address]',
    about: 'commits a workspace onto a branch',
  },
  job: {
    synopsis: 'sluice job <id> --remote http://host:3000 [--json]',
    about: 'shows an upload or commit job: state, progress, failed files',
  },
};

const common =
  '  --token TOKEN (or SLUICE_TOKEN) is sent as Authorization: Bearer. --json prints one JSON object per line ' +
  '(push: one summary).\n' +
  '  Exit codes: 0 done, 1 failed (files, the server, or a repository, revision or path that is not there), ' +
  '2 usage error.';

function usage(command?: string): string {
  const entry = command === undefined ? undefined : commands[command];
  if (entry) return `usage: ${entry.synopsis}\n\n  ${entry.about}\n${common}`;
  return `usage: sluice <command> [options]    (sluice <command> --help for one; sluice --version)\n\n${Object.values(
    commands,
  )
    .map((c) => `  ${c.synopsis}`)
    .join('\n')}\n\n${common}`;
}

class UsageError extends Error {}

/** Commands that read a repository: the remote comes first (`sluice ls <remote> [path]`). */
const readCommands = new Set(['ls', 'log', 'diff', 'download']);

/** Words as a POSIX shell reads them back: anything beyond plain characters single-quoted. */
const shellLine = (words: string[]) =>
  words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

/** A malformed argument the client library rejects is a usage error (exit 2), not a failure. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function clientVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** `10MiB`, `512KiB`, `1048576` → bytes. */
function size(text: string, flag: string): number {
  const match = /^(\d+)\s*(|b|k|kib|m|mib|g|gib)$/i.exec(text.trim());
  if (!match) throw new UsageError(`${flag} ${text}: expected a size such as 10MiB`);
  const unit = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 }[
    match[2]!.toLowerCase()
  ]!;
  return Number(match[1]) * unit;
}

/** `30s`, `10m`, `2h`, `45` (seconds) → milliseconds. */
function duration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(|s|m|h)$/i.exec(text.trim());
  if (!match) throw new UsageError(`${flag} ${text}: expected a duration such as 30s, 10m or 2h`);
  return Number(match[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000 }[match[2]!.toLowerCase()]!;
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${flag} ${text}: expected a whole number of at least 1`);
  return value;
}

function gzipMode(text: string): GzipMode {
  const mode = gzipModes.find((m) => m === text);
  if (mode === undefined) throw new UsageError(`--gzip ${text}: expected one of ${gzipModes.join(', ')}`);
  return mode;
}

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

/** The command being run, for what is said when it fails. */
let running: string | undefined;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      remote: { type: 'string' },
      token: { type: 'string' },
      branch: { type: 'string', default: 'main' },
      dst: { type: 'string', default: '' },
      workspace: { type: 'string' },
      message: { type: 'string', short: 'm' },
      author: { type: 'string' },
      email: { type: 'string' },
      async: { type: 'boolean', default: false },
      'no-commit': { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      'chunk-size': { type: 'string', default: '10MiB' },
      'batch-size': { type: 'string', default: '10MiB' },
      gzip: { type: 'string', default: 'auto' },
      exclude: { type: 'string', multiple: true, default: [] },
      'no-gitignore': { type: 'boolean', default: false },
      'retry-for': { type: 'string', default: '30s' },
      json: { type: 'boolean', default: false },
      revision: { type: 'string', default: 'main' },
      limit: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  const [command, ...rest] = positionals;
  running = command;
  if (values.version) {
    process.stdout.write(`sluice ${clientVersion()}\n`);
    return 0;
  }
  if (values.help || command === undefined) {
    process.stdout.write(`${usage(command)}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (commands[command] === undefined) throw new UsageError(`unknown command '${command}'\n${usage()}`);
  const token = values.token ?? process.env.SLUICE_TOKEN;
  if (readCommands.has(command)) {
    // `sluice ls <remote> [path]`, as the issue and git write it; --remote works too
    const remoteText = values.remote ?? rest.shift();
    if (remoteText === undefined) throw new UsageError(`a remote is required\n${usage(command)}`);
    const remote = asUsage(() => parseRemote(remoteText));
    const client = new SluiceClient({ baseUrl: remote.baseUrl, ...(token ? { token } : {}) });
    const ctx: ReadContext = {
      reads: new RepoReads(client, remote.namespace, remote.repo),
      where: remoteText,
      json: values.json,
      limit: values.limit === undefined ? null : positive(values.limit, '--limit'),
      out: (line) => process.stdout.write(`${line}\n`),
    };
    const path = (index: number, most: number) => {
      if (rest.length > most)
        throw new UsageError(`too many arguments: ${rest.slice(most).join(' ')}\n${usage(command)}`);
      return rest[index] ?? '';
    };
    if (command === 'ls') return lsCommand(ctx, path(0, 1), values.revision);
    if (command === 'log') return logCommand(ctx, path(0, 1), values.revision);
    if (command === 'download') {
      running = 'download';
      return downloadCommand({
        remote,
        where: remoteText,
        path: path(0, 1),
        revision: values.revision,
        gzip: gzipMode(values.gzip),
        json: values.json,
        retryForMs: duration(values['retry-for'], '--retry-for'),
        ...(values.to ? { to: values.to } : {}),
        ...(token ? { token } : {}),
      });
    }
    if (rest.length < 2) throw new UsageError(`sluice diff needs two revisions\n${usage(command)}`);
    return diffCommand(ctx, rest[0]!, rest[1]!, path(2, 3));
  }
  if (values.remote === undefined) throw new UsageError(`--remote is required\n${usage(command)}`);

  if (command === 'job') {
    if (rest.length !== 1) throw new UsageError('usage: sluice job <id> --remote http://host:3000');
    const client = new SluiceClient({
      baseUrl: asUsage(() => new URL(values.remote!)).origin,
      ...(token ? { token } : {}),
    });
    const job = await client.job(rest[0]!);
    if (values.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
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

  const remote = asUsage(() => parseRemote(values.remote!));
  const client = new SluiceClient({ baseUrl: remote.baseUrl, ...(token ? { token } : {}) });
  const author = values.author ?? process.env.SLUICE_AUTHOR ?? userInfo().username;
  const email = values.email ?? process.env.SLUICE_EMAIL ?? `${author}@localhost`;

  switch (command) {
    case 'repo': {
      if (rest[0] !== 'create') throw new UsageError('usage: sluice repo create --remote http://host:3000/ns/name');
      await client.createRepo(remote.namespace, remote.repo);
      process.stdout.write(`created ${remote.namespace}/${remote.repo}\n`);
      return 0;
    }
    case 'push': {
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
              values.remote,
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
      else printSummary(summary, values.remote, commitCommand);
      return summary.failed.length > 0 ? 1 : 0;
    }
    case 'status': {
      if (!values.workspace) throw new UsageError('sluice status needs --workspace');
      return statusCommand(client, remote.namespace, remote.repo, values.workspace, {
        json: values.json,
        limit: values.limit === undefined ? null : positive(values.limit, '--limit'),
        out: (line) => process.stdout.write(`${line}\n`),
      });
    }
    case 'commit': {
      if (!values.workspace || !values.message) throw new UsageError('sluice commit needs --workspace and -m');
      const commit = await client
        .commit(remote.namespace, remote.repo, values.workspace, values.branch, {
          message: values.message,
          author,
          email,
        })
        .catch((error: unknown) => {
          if (error instanceof ClientError && error.status === 422) return null;
          throw error;
        });
      if (commit === null) {
        process.stdout.write(
          `nothing to commit: workspace ${values.workspace} has nothing staged that differs from ${values.branch}\n`,
        );
        return 1;
      }
      process.stdout.write(`commit ${commit.id} on ${values.branch}: ${commit.message}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'\n${usage()}`);
  }
}

/**
 * Exits once stdout and stderr have taken everything written: to a pipe that a slow reader has
 * filled, writes wait in the process, and exiting at once cut a long `ls` or `diff` short.
 */
function exitAfterOutput(code: number): void {
  let left = 2;
  const done = () => {
    if (--left === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

main(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (error: unknown) => {
    if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      // Node's own text suggests '--' and nests its quotes; the option is all there is to say
      const option = /'([^']*)'/.exec((error as Error).message)?.[1] ?? (error as Error).message;
      process.stderr.write(`sluice: unknown option ${option} (sluice <command> --help lists them)\n`);
      exitAfterOutput(2);
      return;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`sluice: ${(error as Error).message}\n`);
      exitAfterOutput(2);
      return;
    }
    const message = error instanceof ClientError ? `${error.message} (${error.code})` : (error as Error).message;
    process.stderr.write(`sluice: ${message}\n`);
    // a push that stopped because the server went away: nothing is lost, and the way on is the same command
    // only a transfer that began and was cut is resumed by a rerun; a server never reached is not a resume
    if (error instanceof ClientError && error.code === 'transfer_cut' && running === 'download') {
      process.stderr.write(
        'sluice: run the same command again to resume: files here and whole are not fetched again\n',
      );
    } else if (error instanceof ClientError && error.code === 'unreachable' && running === 'download') {
      process.stderr.write('sluice: the server is unreachable: nothing was downloaded\n');
    }
    if (error instanceof ClientError && error.code === 'workspace_not_found') {
      process.stderr.write(
        'sluice: a workspace a commit took is gone: a push that committed, or an unnamed workspace committed ' +
          'once, leaves none behind (sluice push --no-commit keeps one)\n',
      );
    }
    if (error instanceof ClientError && error.retryable && running === 'push') {
      process.stderr.write(
        'sluice: run the same command again to resume: what the server staged is not sent again ' +
          '(--retry-for sets how long it keeps trying, e.g. --retry-for 10m)\n',
      );
    }
    exitAfterOutput(1);
  },
);
