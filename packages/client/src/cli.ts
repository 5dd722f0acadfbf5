import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseCli } from './cli-arguments.js';
import { commands, usage } from './cli-usage.js';
import { ClientError } from './client-error.js';
import { duration, gzipMode, positive } from './option-values.js';
import { parseRemote } from './remote.js';
import { SluiceClient } from './sluice-client.js';
import { RepoReads } from './repo-reads.js';
import { asUsage, UsageError } from './usage-error.js';
import type { ReadContext } from './commands/read-context.js';
import { lsCommand } from './commands/ls-command.js';
import { logCommand } from './commands/log-command.js';
import { diffCommand } from './commands/diff-command.js';
import { statusCommand } from './commands/status-command.js';
import { downloadCommand } from './commands/download-command.js';
import { pushCommand } from './commands/push-command.js';
import { jobCommand } from './commands/job-command.js';
import { commitCommand } from './commands/commit-command.js';

/** Commands that read a repository: the remote comes first (`sluice ls <remote> [path]`). */
const readCommands = new Set(['ls', 'log', 'diff', 'download']);

function clientVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The command being run, for what is said when it fails. */
let running: string | undefined;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv);
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
    return jobCommand(client, rest[0]!, values.json);
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
    case 'push':
      return pushCommand(values, rest, { remote, remoteText: values.remote, author, email, token });
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
      return commitCommand(client, remote, values.workspace, values.branch, { message: values.message, author, email });
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
