import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** How to run an action. */
export interface RunActionOptions {
  /** The repository root: action folders and dist bundles live here; also the working directory. */
  root: string;
  /** The action folder's action.yml (e.g. `auth/action.yml`): its `runs.main` and input defaults are used. */
  action: string;
  /** Inputs by their action.yml names, as a workflow's `with:` gives them. */
  inputs?: Record<string, string>;
  /** Further environment (the ID-token endpoint, variables exported by earlier steps). */
  env?: Record<string, string | undefined>;
  /** The node binary; default the one running the tests. */
  node?: string;
  /** Kill the process after this long. Default 60 s. */
  timeoutMs?: number;
  /** What `${{ github.token }}` stands for in input defaults (default: empty, as for a token-less run). */
  githubToken?: string;
  /** The job's matrix combination, for `${{ toJSON(matrix) }}` (default: none, which a runner renders as `null`). */
  matrix?: Record<string, unknown>;
}

/** What a run left behind. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Outputs it wrote to GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** Variables it exported through GITHUB_ENV. */
  exported: Record<string, string>;
  /** The job summary it wrote. */
  summary: string;
  state: Record<string, string>;
}

/** The runner's name for an input's variable: spaces become underscores, upper-cased; hyphens stay. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Parses a runner command file (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE): `name=value` lines and
 * `name<<DELIMITER` … `DELIMITER` blocks for multiline values.
 */
export function parseRunnerFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`Unterminated ${name}<<${delimiter} block`);
      result[name!] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Unreadable runner file line: ${line}`);
    result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

/**
 * Evaluates the expressions action.yml defaults may hold, as a runner would before the action
 * starts. Only the ones Airlock's actions use are known; any other is refused so that a default
 * never reaches an action as unevaluated text.
 */
export function evaluateDefault(
  value: string,
  options: Pick<RunActionOptions, 'githubToken' | 'matrix'>,
): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    if (expr === 'github.token') return options.githubToken ?? '';
    if (/^toJSON\(\s*matrix\s*\)$/i.test(expr))
      return options.matrix ? JSON.stringify(options.matrix) : 'null';
    throw new Error(`Cannot evaluate the expression \${{ ${expr} }} in an input default.`);
  });
}

interface ActionYaml {
  inputs?: Record<string, { default?: string | number | boolean }>;
  runs: { using: string; main: string };
}

/**
 * Runs an action's dist bundle as a GitHub runner does: a child process with `INPUT_*` for every
 * input (declared defaults filled in), `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STEP_SUMMARY` and
 * `GITHUB_STATE` files in a temporary directory, `RUNNER_TEMP`, and `GITHUB_ACTIONS=true`; then
 * reads back what it wrote. The child runs asynchronously, so an in-process service keeps serving.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const actionFile = path.resolve(options.root, options.action);
  const spec = parseYaml(fs.readFileSync(actionFile, 'utf8')) as ActionYaml;
  const main = path.resolve(path.dirname(actionFile), spec.runs.main);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-runner-'));
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    GITHUB_STATE: path.join(dir, 'state'),
  };
  for (const file of Object.values(files)) fs.writeFileSync(file, '');
  const runnerTemp = path.join(dir, 'tmp');
  fs.mkdirSync(runnerTemp);

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    GITHUB_WORKSPACE: options.root,
    ...files,
  };
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    if (input.default !== undefined)
      env[inputVariable(name)] = evaluateDefault(String(input.default), options);
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputVariable(name)] = value;
  for (const [name, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[name] = value;

  try {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(options.node ?? process.execPath, [main], {
        cwd: options.root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (exit) => {
        clearTimeout(timer);
        resolve({ code: exit, stdout, stderr });
      });
    });
    return {
      code,
      stdout,
      stderr,
      outputs: parseRunnerFile(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      exported: parseRunnerFile(fs.readFileSync(files.GITHUB_ENV, 'utf8')),
      summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      state: parseRunnerFile(fs.readFileSync(files.GITHUB_STATE, 'utf8')),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
