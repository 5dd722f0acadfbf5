#!/usr/bin/env -S node --initial-old-space-size=128
// The one `sluice` command, both sides: the server's subcommands (serve, token) run the server's
// entry; every other command is the client's, whose CLI knows its own commands, their help and
// what is unknown (so a new client command needs nothing here). A committed shim, so the bin
// exists (and is executable) before the build. The node flag is the one `npm start` runs with.
const serverCommands = new Set(['serve', 'token']);
const command = process.argv[2];

const serverUsage = `the server
  sluice serve                     runs sluice (configured by SLUICE_* variables; npm start runs the same)
  sluice token create --name NAME --scope NAMESPACE:read|write|admin [--scope …]

the client (against any sluice or Oxen server)
`;

const load = (module) =>
  import(module).catch((error) => {
    const missing = error.code === 'ERR_MODULE_NOT_FOUND';
    const why = missing ? 'not built yet: run `npm run build` in the repository first' : error.message;
    process.stderr.write(`sluice: ${why}\n`);
    process.exit(1);
  });

if (command === '--version' || command === '-v' || serverCommands.has(command)) {
  await load('../dist/main.js');
} else {
  // the client's usage follows for `sluice`, `sluice --help` and an unknown command
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    process.stdout.write(serverUsage);
  if (command === 'help') process.argv[2] = '--help';
  await load('@sluice/client/cli');
}
