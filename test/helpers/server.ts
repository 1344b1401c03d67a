import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type BuildOptions, type BuiltApp } from '../../src/server/app.js';
import { parseConfig, type ServerConfigInput } from '../../src/server/config.js';
import { initOrg } from '../../src/server/domain/orgs.js';

/** A running test service: the app listening on a loopback port, its base URL and an admin key. */
export interface TestServer extends BuiltApp {
  url: string;
  dataDir: string;
  org: string;
  adminKey: string;
  close(): Promise<void>;
}

/** A fresh temporary directory, removed by the caller. */
export function tempDir(prefix = 'airlock-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The outbound allow list of test services: receivers and issuers run on loopback. */
export const TEST_OUTBOUND_ALLOW = ['127.0.0.0/8', '::1/128'];

/**
 * Starts the real service (SQLite, files) in a temporary data directory on a loopback port, with
 * org `acme` and its admin key. Webhook receivers and OIDC issuers on loopback are allowed unless
 * `overrides.outbound` says otherwise. `close()` stops it and removes the directory.
 */
export async function startTestServer(
  overrides: Partial<ServerConfigInput> = {},
  options: BuildOptions = {},
): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const config = parseConfig({
    logLevel: 'silent',
    port: 0,
    outbound: { allow: TEST_OUTBOUND_ALLOW },
    ...overrides,
    dataDir,
  });
  const built = await buildApp(config, options);
  const init = await initOrg(built.ctx, built.ctx.secret, 'acme', new Date());
  if (!init.created) throw new Error('test org already existed');
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...built,
    url: built.ctx.baseUrl,
    dataDir,
    org: 'acme',
    adminKey: init.apiKey,
    async close() {
      const closing = built.app.close();
      // A keep-alive connection the test's fetch still holds must not hold the close for the
      // keep-alive timeout (the served process bounds this with its shutdown deadline).
      setTimeout(() => built.app.server.closeAllConnections(), 1000).unref();
      await closing;
      if (!overrides.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
