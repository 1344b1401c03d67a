import type { Command } from '../command.js';
import { hasAction } from '../flags.js';
import { authCommand } from './auth.js';
import { gateCommand } from './gate.js';
import { pipelineCommand } from './pipeline.js';
import { promoteCommand } from './promote.js';
import { pushCommand } from './push.js';
import { reportCommand } from './report.js';
import { whoamiCommand } from './whoami.js';

/**
 * Every subcommand, in the order `airlock --help` lists them; one whose action.yml was missing
 * when the CLI was built is left out (the flags test fails on that).
 */
export const COMMANDS: readonly Command[] = [
  authCommand,
  pushCommand,
  gateCommand,
  promoteCommand,
  pipelineCommand,
  reportCommand,
  whoamiCommand,
].filter((c) => c.action === undefined || hasAction(c.action));

/** The subcommand called `name`, if there is one. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
