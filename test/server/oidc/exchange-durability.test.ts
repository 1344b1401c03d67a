import { initService } from '../../helpers/service-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashKey } from '../../../src/server/domain/access.js';
import { startDevIssuer, type DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import { openDatabase, type DatabaseConfig } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';
import { createTestDatabase, dropTestDatabase, onSharedStores, TEST_STORES } from '../../helpers/stores.js';
import { freePort } from '../../helpers/ports.js';

const BIN = fileURLToPath(new URL('../../../bin/airlock-server.js', import.meta.url));
const EXCHANGES = 24;
/** The server is killed the moment this many exchanges have answered; the rest are cut off. */
const KILL_AFTER = 12;

/** A POST with a JSON body over node:http, so that the caller hears the very end of the response. */
function post(url: string, body: unknown, onEnd: () => void): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          onEnd();
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe(`an exchanged token and its audit event survive a SIGKILL of the server (${TEST_STORES})`, () => {
  let issuer: DevIssuer;
  let dataDir: string;
  let database: DatabaseConfig;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let adminKey: string;
  let secret: string;
  let port: number;
  let server: ChildProcess | null = null;
  const base = () => `http://127.0.0.1:${port}`;

  const startServer = async (): Promise<void> => {
    const dbArgs = database.kind === 'postgres' ? ['--database-url', database.url] : [];
    const child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        ...dbArgs,
        '--allow-loopback-issuers',
        '--advisories-sync-interval',
        '0',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    server = child;
    for (const until = Date.now() + 30_000; ;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error('the server exited');
      const up = await fetch(`${base()}/status/check/basic/`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      if (Date.now() > until) throw new Error('the server did not answer');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const admin = async (route: string, body: unknown): Promise<void> => {
    const res = await fetch(base() + route, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    issuer = await startDevIssuer();
    dataDir = tempDir('airlock-exchange-kill-');
    if (onSharedStores()) {
      const { name, url } = await createTestDatabase();
      database = { kind: 'postgres', url };
      dropDatabase = () => dropTestDatabase(name);
    } else {
      database = { kind: 'sqlite', file: path.join(dataDir, 'airlock.db') };
    }
    const dbArgs = database.kind === 'postgres' ? ['--database-url', database.url] : [];
    const init = await initService(dataDir, { args: dbArgs });
    adminKey = init.api_key;
    secret = fs.readFileSync(init.secret_file, 'utf8').trim();
    port = await freePort();
    await startServer();
    await admin('/orgs/acme/services/', { name: 'deployer', role: 'Member' });
    await admin('/orgs/acme/openid-connect/', {
      name: 'CI',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository: 'owner/repo' },
      service_accounts: ['deployer'],
    });
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await issuer.close();
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds every answered token, with its oidc.exchange event, in the database and lets it in after a restart', async () => {
    const tokens = await Promise.all(
      Array.from({ length: EXCHANGES }, (_, i) => issuer.sign({ run_id: String(i) })),
    );
    const killed = new Promise((r) => server!.once('exit', r));
    let answered = 0;
    // Killed from inside the handler of the KILL_AFTER-th response: no later tick of the server runs.
    const onEnd = (): void => {
      if (++answered === KILL_AFTER) server!.kill('SIGKILL');
    };
    const outcomes = await Promise.allSettled(
      tokens.map((t) => post(`${base()}/openid/acme/`, { oidc_token: t, service_slug: 'deployer' }, onEnd)),
    );
    await killed;
    const issued = outcomes
      .filter((o) => o.status === 'fulfilled' && o.value.status === 200)
      .map(
        (o) => JSON.parse((o as PromiseFulfilledResult<{ text: string }>).value.text) as { token: string },
      );
    expect(issued.length).toBeGreaterThanOrEqual(KILL_AFTER);

    const db = await openDatabase(database);
    try {
      const rows = await db
        .selectFrom('oidc_tokens')
        .select(['id', 'key_hash'])
        .where(
          'key_hash',
          'in',
          issued.map((i) => hashKey(secret, i.token)),
        )
        .execute();
      expect(rows).toHaveLength(issued.length);
      const events = await db
        .selectFrom('audit_events')
        .select('context')
        .where('event', '=', 'oidc.exchange')
        .execute();
      const audited = new Set(events.map((e) => (JSON.parse(e.context) as { token?: string }).token));
      for (const row of rows) expect(audited.has(row.id)).toBe(true);
    } finally {
      await db.destroy();
    }

    await startServer();
    for (const { token } of issued) {
      const res = await fetch(`${base()}/user/self/`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
  }, 120_000);
});
