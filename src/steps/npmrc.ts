import fs from 'node:fs/promises';
import path from 'node:path';
import type { NpmrcSettings } from '../config/auth.js';
import { AuthEnv, AuthOutput } from '../config/names.js';
import type { Runtime } from '../runtime/runtime.js';

/** The npm registry URL of a repository on an Airlock service: `{root}/npm/{owner}/{repo}/`. */
export function npmRegistryUrl(apiUrl: string, owner: string, repo: string): string {
  // The API may be given with its /v1 prefix; the registry lives beside it, not under it.
  const root = apiUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${root}/npm/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/`;
}

/**
 * The lines of `existing` with `registry=` and this registry's `_authToken` replaced by the
 * given ones. The token line names `${AIRLOCK_API_KEY}`, which npm expands from the environment:
 * the secret never lands in the file, and a renewed token is picked up as it is exported.
 */
export function npmrcText(existing: string, registry: string): string {
  const authKey = `${registry.replace(/^https?:/, '')}:_authToken`;
  const kept = existing
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^\s*registry\s*=/.test(line) && !line.trim().startsWith(`${authKey}`));
  return [...kept, `registry=${registry}`, `${authKey}=\${${AuthEnv.ApiKey}}`].join('\n') + '\n';
}

/**
 * Writes (or updates) an `.npmrc` so that later steps' `npm`, `pnpm` and `yarn` use the
 * repository's registry with the token `auth` exported. Without a path it writes `.npmrc` in
 * the runner's temp folder and exports it as npm's user config (as setup-node does).
 */
export async function writeNpmrc(runtime: Runtime, apiUrl: string, settings: NpmrcSettings): Promise<string> {
  const registry = npmRegistryUrl(apiUrl, settings.owner, settings.repo);
  const temp = runtime.getEnv('RUNNER_TEMP');
  const file = settings.path || path.join(temp || process.cwd(), '.npmrc');
  let existing = '';
  try {
    existing = await fs.readFile(file, 'utf8');
  } catch (err) {
    // Checked by shape: fs errors may come from another realm (test runners), where instanceof fails.
    if ((err as { code?: unknown } | null)?.code !== 'ENOENT') throw err;
  }
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, npmrcText(existing, registry), { mode: 0o600 });
  if (!settings.path) runtime.exportVariable(AuthEnv.NpmUserConfig, file);
  runtime.setOutput(AuthOutput.NpmRegistry, registry);
  runtime.info(`Wrote the npm registry ${registry} and its token (from ${AuthEnv.ApiKey}) to ${file}.`);
  return file;
}
