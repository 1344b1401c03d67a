import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Io } from './io.js';
import { initService } from './init.js';
import { resolveServerConfig, settingOptions } from './resolve-config.js';
import { SERVE_DEFAULTS, serveUntilSignalled } from './serve.js';

/** What `start` prints when the advisory database is empty: every scan would pass until it is filled. */
function emptyAdvisoriesHint(dataDir: string): string {
  return (
    `No vulnerability advisories are loaded yet, so scans cannot find anything. Unless\n` +
    `--advisories-sync-interval is 0, the service syncs them from OSV in the background\n` +
    `(see GET /status/advisories/); to fill them now:\n` +
    `  npx airlock-server advisories sync --data-dir ${dataDir}\n` +
    `offline, from the small bundled subset or an OSV mirror folder (<ecosystem>/all.zip):\n` +
    `  npx airlock-server advisories import --data-dir ${dataDir} test/fixtures/advisories\n`
  );
}

/**
 * `airlock-server start`: init (if needed) and serve, with `./.airlock-data`, org `acme` and port
 * 8080 unless told otherwise. The admin key of a new org goes to `DIR/admin-key` (0600).
 */
export async function runStart(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...settingOptions(), org: { type: 'string' } },
    strict: true,
  });
  const config = resolveServerConfig(values, io.env, {
    defaults: { ...SERVE_DEFAULTS, dataDir: '.airlock-data' },
  });
  const org = values.org ?? 'acme';
  const keyFile = path.join(config.dataDir, 'admin-key');
  const created = await initService(config, org);
  if (created.api_key) fs.writeFileSync(keyFile, created.api_key + '\n', { mode: 0o600 });
  return serveUntilSignalled(config, io, (url, state) =>
    io.err(
      `Airlock repository service on ${url} (org '${org}', admin service account '${created.service}').\n` +
        `Admin API key: ${fs.existsSync(keyFile) ? `in ${keyFile}` : 'shown once when the org was created'}.\n` +
        (state.advisoriesHeld ? '' : emptyAdvisoriesHint(config.dataDir)),
    ),
  );
}
