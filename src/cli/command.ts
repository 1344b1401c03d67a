import type { CliRuntime } from '../runtime/cli.js';
import type { PipelineDeps } from '../steps/pipeline.js';
import { UsageError } from './args.js';
import type { FlagSpec } from './flags.js';
import type { WorkspaceState } from './state.js';

/** Exit codes of the `airlock` command. */
export const ExitCode = {
  /** Done; for the gate, it passed. */
  Ok: 0,
  /** An error: a bad flag or value, an unreachable or refusing service. */
  Error: 1,
  /** The gate failed (thresholds, a scan that timed out or failed when told to fail closed). */
  GateFailed: 2,
} as const;

/** One of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What the steps may be given instead of the real thing (timings, a clock, a GitHub client),
 * passed through to them. The working directory is the CLI's own.
 */
export type CliDeps = Omit<PipelineDeps, 'cwd'>;

/** What a subcommand runs with. */
export interface CommandContext {
  runtime: CliRuntime;
  /**
   * The inputs the runtime reads (flags, declared defaults): a subcommand may set one, as it
   * does with the repository token after authenticating.
   */
  inputs: Record<string, string | undefined>;
  /** The runtime's environment (a copy of the process's). */
  env: NodeJS.ProcessEnv;
  /** The working directory: relative paths and `.airlock/` state are resolved against it. */
  cwd: string;
  state: WorkspaceState;
  deps: CliDeps;
}

/** What a subcommand did: its exit code, one line to say so, and the JSON result's fields. */
export interface CommandOutcome {
  exitCode: typeof ExitCode.Ok | typeof ExitCode.GateFailed;
  summary: string;
  result: Record<string, unknown>;
}

/** A subcommand of `airlock`. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Its flags: the action's inputs plus CLI-only flags (see flags.ts). */
  flags: FlagSpec[];
  /** The action.yml folder its flags come from (`.` is the root action), if any. */
  action?: string;
  run(ctx: CommandContext): Promise<CommandOutcome>;
}

/**
 * Runs a settings reader (`readGateSettings(runtime)`, …) and turns what it throws into a
 * {@link UsageError}: the readers name the bad input and its accepted forms, and a bad value is
 * a usage error (exit 1 with a usage line).
 */
export async function readSettings<T>(read: () => T | Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof Error) throw new UsageError(err.message);
    throw err;
  }
}
