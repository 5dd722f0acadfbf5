/** Every command, its synopsis and what it does: the one table `--help` is printed from. */
export const commands: Record<string, { synopsis: string; about: string }> = {
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

export function usage(command?: string): string {
  const entry = command === undefined ? undefined : commands[command];
  if (entry) return `usage: ${entry.synopsis}\n\n  ${entry.about}\n${common}`;
  return `usage: sluice <command> [options]    (sluice <command> --help for one; sluice --version)\n\n${Object.values(
    commands,
  )
    .map((c) => `  ${c.synopsis}`)
    .join('\n')}\n\n${common}`;
}
