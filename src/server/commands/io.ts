/** Where a command writes and what environment it reads: the process's in production, captured in tests. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Reads all of standard input (tests supply it; absent: the process's). */
  stdin?: () => Promise<string>;
}

/** One `airlock-server` subcommand: its name, a one-line summary for the usage text, and its runner. */
export interface ServerCommand {
  name: string;
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[], io: Io): Promise<number>;
}

/**
 * A mistake in how the command was called (a bad flag, env variable or config key): printed with
 * the usage text and exit code 2, never with a stack trace.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The message of anything thrown, for a one-line report. */
export function messageOf(err: unknown): string {
  // Not instanceof Error: errors from node: modules may come from another realm (test VMs).
  return typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
}
