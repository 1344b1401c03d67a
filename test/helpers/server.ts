import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type BuildOptions, type BuiltApp } from '../../src/server/app.js';
import { parseConfig, type ServerConfigInput } from '../../src/server/config.js';
import { initOrg } from '../../src/server/domain/orgs.js';
import { freshStores, type TestStores } from './stores.js';

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

/** The stores of each data directory a test named itself, so that a restart finds its data again. */
const storesOfDataDir = new Map<string, TestStores>();

/**
 * The stores of a test service: a fresh set, or for a data directory the test named, the set
 * that directory had before (a restart on SQLite reopens the directory's file; it must reopen the
 * same database and bucket in the PostgreSQL + S3 pass).
 */
async function storesFor(overrides: Partial<ServerConfigInput>): Promise<TestStores> {
  if (!overrides.dataDir) return freshStores(overrides);
  const known = storesOfDataDir.get(overrides.dataDir);
  if (known) return known;
  const stores = await freshStores(overrides);
  storesOfDataDir.set(overrides.dataDir, stores);
  return stores;
}

/**
 * Starts the real service in a temporary data directory on a loopback port, with org `acme` and
 * its admin key: on SQLite and files, or in the PostgreSQL + S3 pass (AIRLOCK_TEST_STORES) on a
 * fresh database and bucket unless `overrides` names its own. Webhook receivers and OIDC issuers
 * on loopback are allowed unless `overrides.outbound` says otherwise. `close()` stops it and
 * removes the directory (and the fresh database and bucket).
 */
export async function startTestServer(
  overrides: Partial<ServerConfigInput> = {},
  options: BuildOptions = {},
): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const stores = await storesFor(overrides);
  const config = parseConfig({
    logLevel: 'silent',
    port: 0,
    outbound: { allow: TEST_OUTBOUND_ALLOW },
    ...stores.settings,
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
      if (!overrides.dataDir) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        await stores.drop();
      }
    },
  };
}

/**
 * A second service over `first`'s configuration and stores, as another replica runs: the same
 * database, blobs and org, and nothing of what `first` holds in memory. Its `close` stops only it.
 */
export async function startReplicaOf(first: TestServer, options: BuildOptions = {}): Promise<TestServer> {
  const built = await buildApp(first.ctx.config, options);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    ...first,
    ...built,
    url: built.ctx.baseUrl,
    async close() {
      const closing = built.app.close();
      // The keep-alive connections the test's fetch holds must not hold the close.
      built.app.server.closeAllConnections();
      await closing;
    },
  };
}
