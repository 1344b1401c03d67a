import fs from 'node:fs';
import path from 'node:path';
import { CliRuntime } from '../runtime/cli.js';
import { parseArgs, UsageError, type ParsedArgs } from './args.js';
import { ExitCode, type CliDeps, type Command, type CommandContext, type ExitCodeValue } from './command.js';
import { COMMANDS, findCommand } from './commands/index.js';
import type { FlagSpec } from './flags.js';
import type { ForeignOutput } from './foreign-output.js';
import { commandHelp, mainHelp, usageLine } from './help.js';
import { WorkspaceState } from './state.js';
import { cliWording } from './wording.js';

/** Where the CLI reads and writes: the process's streams, environment and directory, or a test's. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What libraries print on the process's stdout, to be routed into the runtime's log. */
  foreign?: ForeignOutput;
}

/** Flags the CLI handles itself; the rest are inputs the runtime hands to the steps. */
const OWN_FLAGS = new Set(['json', 'output', 'help', 'oidc-token-file']);
/** Inputs and variables that hold a credential: masked before anything runs. */
const SECRET_INPUTS = ['api-key', 'github-token'];
const SECRET_ENV = ['AIRLOCK_API_KEY', 'AIRLOCK_OIDC_TOKEN', 'AIRLOCK_GITHUB_TOKEN', 'GITHUB_TOKEN'];

/**
 * Runs `airlock <command> [flags]` and returns its exit code: 0 done (the gate passed), 1 an
 * error (a usage line names a bad flag or value), 2 the gate failed. Human logs go to stderr
 * with every secret redacted; `--json` puts one JSON result on stdout and `--output` in a file.
 */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(mainHelp(COMMANDS));
    return name === undefined ? ExitCode.Error : ExitCode.Ok;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr.write(`error: unknown command '${name}'\n${usageLine()}\n`);
    return ExitCode.Error;
  }

  let args: ParsedArgs;
  try {
    args = parseArgs(rest, command.flags);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`error: ${err.message}\n${usageLine(command)}\n`);
    if (rest.includes('--json')) io.stdout.write(`${JSON.stringify(failure(command, err))}\n`);
    const output = findOutputFlag(rest) ?? io.env.AIRLOCK_OUTPUT;
    if (output) writeResult(path.resolve(io.cwd, output), failure(command, err));
    return ExitCode.Error;
  }
  if (args.switches.has('help')) {
    io.stdout.write(commandHelp(command));
    return ExitCode.Ok;
  }

  const env = { ...io.env };
  const inputs = resolveInputs(command.flags, args, env);
  const json = args.switches.has('json') || /^(1|true)$/i.test(env.AIRLOCK_JSON ?? '');
  const output = args.values.output ?? env.AIRLOCK_OUTPUT;
  const oidcTokenFile = args.values['oidc-token-file'] ?? env.AIRLOCK_OIDC_TOKEN_FILE;
  const runtime = new CliRuntime({
    inputs,
    env,
    stderr: io.stderr,
    // Inside GitHub Actions the job summary goes where the runner shows it; elsewhere it is printed.
    ...(env.GITHUB_STEP_SUMMARY ? { summaryFile: env.GITHUB_STEP_SUMMARY } : {}),
    ...(oidcTokenFile ? { oidcTokenFile: path.resolve(io.cwd, oidcTokenFile) } : {}),
  });
  for (const secret of [...SECRET_INPUTS.map((n) => inputs[n]), ...SECRET_ENV.map((n) => env[n])]) {
    if (secret) runtime.setSecret(secret);
  }
  io.foreign?.attach(runtime);
  const ctx: CommandContext = { runtime, inputs, env, cwd: io.cwd, state: new WorkspaceState(io.cwd), deps };

  let exitCode: ExitCodeValue;
  let result: Record<string, unknown>;
  try {
    const outcome = await command.run(ctx);
    exitCode = outcome.exitCode;
    result = {
      command: command.name,
      ok: exitCode === ExitCode.Ok,
      exitCode,
      summary: outcome.summary,
      ...outcome.result,
    };
    if (!json && outcome.summary) io.stdout.write(`${runtime.redact(outcome.summary)}\n`);
  } catch (err) {
    exitCode = ExitCode.Error;
    result = failure(command, err);
    result.error = cliWording(String(result.error), command.flags);
    runtime.error(String(result.error));
    if (err instanceof UsageError) io.stderr.write(`${usageLine(command)}\n`);
  }
  io.foreign?.flush();
  const redacted = redactValues(result, (text) => runtime.redact(text)) as Record<string, unknown>;
  if (json) io.stdout.write(`${JSON.stringify(redacted)}\n`);
  if (output) writeResult(path.resolve(io.cwd, output), redacted);
  return exitCode;
}

/**
 * The inputs the runtime reads, as a runner would pass them: a flag given wins; else the
 * runtime reads `AIRLOCK_<NAME>` itself (so a token a subcommand exports is seen); else another
 * variable the flag names; else the action.yml default (flags.ts leaves out a workflow
 * expression, which cannot be evaluated here).
 */
function resolveInputs(
  flags: readonly FlagSpec[],
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
): Record<string, string | undefined> {
  const inputs: Record<string, string | undefined> = {};
  for (const flag of flags) {
    if (OWN_FLAGS.has(flag.name) || flag.kind === 'switch') continue;
    const given = args.values[flag.name];
    if (given !== undefined) {
      inputs[flag.name] = given;
      continue;
    }
    const [own, ...others] = flag.env;
    if (own && env[own] !== undefined) continue;
    const other = others.find((n) => env[n]);
    if (other) inputs[flag.name] = env[other];
    else if (flag.default !== undefined) inputs[flag.name] = flag.default;
  }
  return inputs;
}

/** A copy of a JSON value with every string value (never a key) passed through `redact`. */
function redactValues(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValues(v, redact));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValues(v, redact)]));
  }
  return value;
}

/** The JSON result of a subcommand that failed with an error (exit 1). */
function failure(command: Command, err: unknown): Record<string, unknown> {
  const message = err instanceof Error ? err.message : String(err);
  return { command: command.name, ok: false, exitCode: ExitCode.Error, error: message };
}

/** `--output FILE` / `--output=FILE` in arguments that did not parse, so the error still lands there. */
function findOutputFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--output' && argv[i + 1] !== undefined) return argv[i + 1];
    if (argv[i]!.startsWith('--output=')) return argv[i]!.slice('--output='.length);
  }
  return undefined;
}

function writeResult(file: string, result: Record<string, unknown>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
