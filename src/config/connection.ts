import type { InputSource } from '../runtime/runtime.js';
import { parseApiUrl, parseRetries } from './auth.js';
import { AuthDefaults, AuthEnv, ConnectionInput } from './names.js';

/** Where the repository is and how to call it: shared by push, gate and promote. */
export interface ConnectionSettings {
  /** API root without a trailing slash. */
  apiUrl: string;
  /** The credential (an exchanged token or an API key), already masked. */
  apiKey: string;
  /** Retries of each call (0–10). */
  retries: number;
}

/**
 * An input, or when it is empty the variable an earlier step of the job exported. The CLI
 * runtime already falls back to `AIRLOCK_*` variables; the GitHub runtime reads only `INPUT_*`.
 */
export function inputOrEnv(runtime: InputSource, input: string, env: string): string {
  return runtime.getInput(input) || (runtime.getEnv(env) ?? '').trim();
}

/**
 * Reads `api-url`, `api-key` and `retries`, defaulting to what the `auth` step exported
 * (`AIRLOCK_API_URL`, `AIRLOCK_API_KEY`). The key is masked the moment it is read. Throws a
 * message naming the input when one is missing or malformed.
 */
export function readConnection(runtime: InputSource): ConnectionSettings {
  const apiKey = inputOrEnv(runtime, ConnectionInput.ApiKey, AuthEnv.ApiKey);
  if (apiKey) runtime.setSecret(apiKey);
  const url = inputOrEnv(runtime, ConnectionInput.ApiUrl, AuthEnv.ApiUrl);
  if (!url) {
    throw new Error(
      `Input ${ConnectionInput.ApiUrl} is required: give the repository's API URL (https://airlock.example.com), or run the auth action earlier in the job so ${AuthEnv.ApiUrl} is set.`,
    );
  }
  const apiUrl = parseApiUrl(ConnectionInput.ApiUrl, url);
  if (!apiKey) {
    throw new Error(
      `Input ${ConnectionInput.ApiKey} is required: run the auth action earlier in the job (it exports ${AuthEnv.ApiKey}) or give an API key.`,
    );
  }
  const retries = parseRetries(
    ConnectionInput.Retries,
    runtime.getInput(ConnectionInput.Retries),
    AuthDefaults.Retries,
  );
  return { apiUrl, apiKey, retries };
}

/** The `owner` and `repo` inputs, defaulting to what an earlier push exported (then `ownerFallback`). */
export function readRepository(
  runtime: InputSource,
  names: { owner: string; repo: string },
  env: { owner: string; repo: string },
  ownerFallback = '',
): { owner: string; repo: string } {
  const owner = inputOrEnv(runtime, names.owner, env.owner) || ownerFallback;
  const repo = inputOrEnv(runtime, names.repo, env.repo);
  for (const [input, value, what] of [
    [names.owner, owner, 'organisation (namespace) slug'],
    [names.repo, repo, 'repository slug'],
  ] as const) {
    if (!value) throw new Error(`Input ${input} is required: give the ${what}, e.g. acme / dev.`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
      throw new Error(
        `Input ${input}: '${value}' is not a slug; use letters, digits, '.', '_' and '-' (e.g. ${input === names.owner ? 'acme' : 'dev'}).`,
      );
    }
  }
  return { owner, repo };
}
