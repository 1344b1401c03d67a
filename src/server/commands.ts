import type { Io } from './main.js';
import { devIssuerCommand } from './oidc/dev-issuer-command.js';
import { advisoriesCommand } from './scan/advisories/import-command.js';

/** A further `airlock-server` subcommand (advisory import, the development OIDC issuer, …). */
export interface ServerCommand {
  name: string;
  summary: string;
  run(args: string[], io: Io): Promise<number>;
}

/** Subcommands beyond init/serve/start, listed in the usage text. */
export const SERVER_COMMANDS: ServerCommand[] = [devIssuerCommand, advisoriesCommand];
