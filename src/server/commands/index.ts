import { advisoriesCommand } from './advisories-import.js';
import { runBackup } from './backup.js';
import { devIssuerCommand } from './dev-issuer.js';
import { runInit } from './init.js';
import { messageOf, UsageError, type Io, type ServerCommand } from './io.js';
import { runServe } from './serve.js';
import { runStart } from './start.js';
import { usersCommand } from './users.js';

/** Every `airlock-server` subcommand, in the order the usage text lists them. */
export const SERVER_COMMANDS: readonly ServerCommand[] = [
  {
    name: 'init',
    summary: '--data-dir DIR --org SLUG [--json]  create the data directory, the org and its admin key',
    run: runInit,
  },
  {
    name: 'serve',
    summary: '--data-dir DIR [settings]  serve the repository API (serve --help lists every setting)',
    run: runServe,
  },
  {
    name: 'start',
    summary: 'init (if needed) + serve on 127.0.0.1:8080 with ./.airlock-data',
    run: runStart,
  },
  {
    name: 'backup',
    summary: '--data-dir DIR --to BACKUP_DIR  copy an SQLite deployment while it serves',
    run: runBackup,
  },
  usersCommand,
  advisoriesCommand,
  devIssuerCommand,
];

/** The top-level usage text. */
export const USAGE = `Usage: airlock-server <command> [options]

Commands:
${SERVER_COMMANDS.map((c) => `  ${c.name.padEnd(11)} ${c.summary}`).join('\n')}

Settings come from flags, AIRLOCK_* environment variables or a YAML file (--config FILE or
AIRLOCK_CONFIG), in that order; 'airlock-server serve --help' lists them all.`;

/** Whether `err` is a mistake in how the command was called (bad flag or value). */
function isUsageError(err: unknown): boolean {
  return (
    err instanceof UsageError ||
    (typeof err === 'object' &&
      err !== null &&
      'code' in err &&
      String(err.code).startsWith('ERR_PARSE_ARGS'))
  );
}

/** Runs the `airlock-server` command line; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === 'help') {
    io.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const found = SERVER_COMMANDS.find((c) => c.name === command);
  try {
    if (!found) throw new UsageError(`Unknown command '${command}'.`);
    return await found.run(rest, io);
  } catch (err) {
    if (isUsageError(err)) {
      io.err(`airlock-server: ${messageOf(err)}\n\n${USAGE}\n`);
      return 2;
    }
    io.err(`airlock-server: ${messageOf(err)}\n`);
    return 1;
  }
}
