#!/usr/bin/env -S node --initial-old-space-size=128
// The one `sluice` command, both sides: the server's subcommands (serve, token) run the server's
// entry, every other (repo, push, status, commit, job) the client's. A committed shim, so the bin
// exists (and is executable) before the build. The node flag is the one `npm start` runs with.
const serverCommands = new Set(['serve', 'token']);
const clientCommands = new Set(['repo', 'push', 'status', 'commit', 'job']);
const command = process.argv[2];

const usage = `usage: sluice <command> [options]        (sluice <command> --help for one)

the server
  sluice serve                     runs sluice (configured by SLUICE_* variables; npm start runs the same)
  sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]

the client (against any sluice or Oxen server)
  sluice repo create --remote http://host:3000/ns/name
  sluice push <dir or file>... --remote http://host:3000/ns/name [-m message] [--retry-for 30s] …
  sluice status --remote http://host:3000/ns/name --workspace id
  sluice commit --remote http://host:3000/ns/name --workspace id -m message
  sluice job <id> --remote http://host:3000

  sluice --version
`;

const load = (module) => import(module).catch((error) => {
  const missing = error.code === 'ERR_MODULE_NOT_FOUND';
  const why = missing ? 'not built yet: run `npm run build` in the repository first' : error.message;
  process.stderr.write(`sluice: ${why}\n`);
  process.exit(1);
});

if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(usage);
  process.exit(command === undefined ? 2 : 0);
} else if (command === '--version' || command === '-v' || serverCommands.has(command)) {
  await load('../dist/main.js');
} else if (clientCommands.has(command)) {
  await load('@sluice/client/cli');
} else {
  process.stderr.write(`sluice: unknown command '${command}'\n${usage}`);
  process.exit(2);
}
