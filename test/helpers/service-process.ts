import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The `airlock-server` command, found from test/helpers/ in the tests and from lib/test/helpers/
 * when the benchmarks run this module compiled.
 */
export const SERVER_BIN = ['../../bin/airlock-server.js', '../../../bin/airlock-server.js']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((file) => fs.existsSync(file))!;

/** What `airlock-server init --json` prints: the first admin key and where the secret went. */
export interface InitResult {
  api_key: string;
  secret_file: string;
}

/**
 * Runs `airlock-server init --json` the way an operator does, creating `org` and its first admin
 * in `dataDir` (and in the database `args` names, e.g. `--database-url`).
 */
export async function initService(
  dataDir: string,
  options: { org?: string; args?: readonly string[] } = {},
): Promise<InitResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    SERVER_BIN,
    'init',
    '--data-dir',
    dataDir,
    '--org',
    options.org ?? 'acme',
    '--json',
    ...(options.args ?? []),
  ]);
  return JSON.parse(stdout) as InitResult;
}
