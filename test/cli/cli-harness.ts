import fs from 'node:fs';
import path from 'node:path';
import type { CliDeps } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/run.js';

/** What one in-process `airlock` run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The JSON result printed with --json (the last stdout line), when there is one. */
  json?: Record<string, unknown>;
}

/** A JWT anywhere in a text: no token may show in what the CLI prints. */
export const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** Runs the CLI in this process with its own environment (nothing of the test process's) and directory. */
export async function runAirlock(
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; cwd: string; deps?: CliDeps },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    argv,
    {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: { PATH: process.env.PATH, ...options.env },
      cwd: options.cwd,
    },
    { timing: { baseDelayMs: 1, maxDelayMs: 2 }, ...options.deps },
  );
  const last = stdout.trim().split('\n').pop() ?? '';
  const json =
    argv.includes('--json') && last.startsWith('{')
      ? (JSON.parse(last) as Record<string, unknown>)
      : undefined;
  return { code, stdout, stderr, json };
}

/** Reads a JSON file the CLI wrote. */
export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Every file under `dir`, read as text, for a secret search. */
export function readTree(dir: string): string {
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}
