import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the official CLI is: `AIRLOCK_CLOUDSMITH_CLI` (set by .ci/tools.d/cloudsmith-cli.sh), else
 * where that script installs it. jest.config.js looks in the same two places.
 */
export function cloudsmithCliPath(): string {
  const fromEnv = process.env.AIRLOCK_CLOUDSMITH_CLI;
  if (fromEnv) return fromEnv;
  const tools = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools');
  return path.join(tools, 'cloudsmith-cli', 'bin', 'cloudsmith');
}

/** What one run of the CLI did. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How the CLI is run: the binary, its home directory (config files) and its API key. */
export interface CliSetup {
  bin: string;
  home: string;
  apiKey: string;
}

/**
 * A home directory whose config.ini keeps the CLI off the network (no update check, no error
 * reports) and in the keyring's absence, so that only the service under test answers it.
 */
export function makeCliHome(dir: string): string {
  const config = path.join(dir, '.config', 'cloudsmith');
  fs.mkdirSync(config, { recursive: true });
  fs.writeFileSync(
    path.join(config, 'config.ini'),
    '[default]\ncheck_for_update = false\ntelemetry = false\n',
  );
  return dir;
}

/**
 * Runs the CLI with `args` (the caller puts `--api-host` where the subcommand takes it) and
 * resolves with its exit code and output; it never rejects on a non-zero exit. Asynchronous on
 * purpose: the service under test answers from this same process. Only a chosen environment is
 * passed, so the machine's own CLOUDSMITH_* settings cannot leak in; an empty value in `env`
 * leaves that variable out (e.g. `CLOUDSMITH_API_KEY: ''` to run without a key).
 */
export function runCli(
  setup: CliSetup,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: setup.home,
    LANG: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    // Wide enough that the tables are never cut short.
    COLUMNS: '200',
    CLOUDSMITH_API_KEY: setup.apiKey,
    CLOUDSMITH_NO_KEYRING: '1',
    CLOUDSMITH_NO_UPDATE_CHECK: '1',
    CLOUDSMITH_NO_TELEMETRY: '1',
    DO_NOT_TRACK: '1',
    ...env,
  };
  for (const [name, value] of Object.entries(environment)) if (value === '') delete environment[name];
  return new Promise((resolve, reject) => {
    execFile(
      setup.bin,
      args,
      { env: environment, cwd: setup.home, maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`cloudsmith ${args.join(' ')} did not run: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}
