import { initService } from '../helpers/service-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type DatabaseConfig } from '../../src/server/store/db.js';
import { coreMetadata, projectHeaders, wheel } from '../fixtures/packages/archives.js';
import { tempDir } from '../helpers/server.js';
import { createTestDatabase, dropTestDatabase, onSharedStores, TEST_STORES } from '../helpers/stores.js';
import { publishBody } from './npm/npm-helpers.js';
import { freePort } from '../helpers/ports.js';

const BIN = fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));
/** Publishes of each kind sent at once. */
const EACH = 12;
/** The server is killed the moment this many of each kind have answered; the rest are cut off. */
const KILL_AFTER = 5;

function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** A request over node:http, so that the caller hears the very end of the response. */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  onEnd: () => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        onEnd();
        resolve(res.statusCode ?? 0);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One file sent as a publish, and how its package is found again. */
interface Sent {
  kind: 'npm' | 'python';
  name: string;
  version: string;
  filename: string;
  bytes: Buffer;
  send(onEnd: () => void): Promise<number>;
}

describe(`a published version survives a SIGKILL of the server once answered (${TEST_STORES})`, () => {
  let dataDir: string;
  let database: DatabaseConfig;
  let dropDatabase: () => Promise<void> = async () => undefined;
  let adminKey: string;
  let port: number;
  let server: ChildProcess | null = null;
  const base = () => `http://127.0.0.1:${port}`;

  const startServer = async (): Promise<void> => {
    // PostgreSQL for the rows when the suite runs on the shared stores; the blobs stay in files.
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
        '--advisories-sync-interval',
        '0',
        '--limits-requests-per-hour',
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

  beforeAll(async () => {
    dataDir = tempDir('airlock-publish-kill-');
    if (onSharedStores()) {
      const { name, url } = await createTestDatabase();
      database = { kind: 'postgres', url };
      dropDatabase = () => dropTestDatabase(name);
    } else {
      database = { kind: 'sqlite', file: path.join(dataDir, 'airlock.db') };
    }
    const dbArgs = database.kind === 'postgres' ? ['--database-url', database.url] : [];
    adminKey = (await initService(dataDir, { args: dbArgs })).api_key;
    port = await freePort();
    await startServer();
    const res = await fetch(`${base()}/repos/acme/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify({ name: 'own' }),
    });
    expect(res.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function npmPublish(i: number): Promise<Sent> {
    const version = `1.0.${i}`;
    const { body, tarball } = await publishBody('kill-npm', version);
    const json = Buffer.from(JSON.stringify(body));
    return {
      kind: 'npm',
      name: 'kill-npm',
      version,
      filename: `kill-npm-${version}.tgz`,
      bytes: tarball,
      send: (onEnd) =>
        send(
          `${base()}/npm/acme/own/kill-npm`,
          'PUT',
          { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
          json,
          onEnd,
        ),
    };
  }

  async function twineUpload(i: number): Promise<Sent> {
    const version = `2.0.${i}`;
    const bytes = await wheel('kill_py', version, coreMetadata(projectHeaders('kill-py', version), '# kill'));
    const filename = `kill_py-${version}-py3-none-any.whl`;
    const form = new FormData();
    for (const [k, v] of Object.entries({
      ':action': 'file_upload',
      protocol_version: '1',
      name: 'kill-py',
      version,
      filetype: 'bdist_wheel',
      sha256_digest: sha256(bytes),
    }))
      form.append(k, v);
    form.append('content', new Blob([bytes]), filename);
    const encoded = new Response(form);
    const contentType = encoded.headers.get('content-type')!;
    const raw = Buffer.from(await encoded.arrayBuffer());
    const auth = `Basic ${Buffer.from(`__token__:${adminKey}`).toString('base64')}`;
    return {
      kind: 'python',
      name: 'kill-py',
      version,
      filename,
      bytes,
      send: (onEnd) =>
        send(
          `${base()}/pypi/acme/own/`,
          'POST',
          { 'content-type': contentType, authorization: auth },
          raw,
          onEnd,
        ),
    };
  }

  it('finds every answered npm publish and twine upload, with its blob and audit event, after a restart', async () => {
    const all: Sent[] = [];
    for (let i = 0; i < EACH; i++) all.push(await npmPublish(i), await twineUpload(i));
    const killed = new Promise((r) => server!.once('exit', r));
    const answered = { npm: 0, python: 0 };
    // Killed from inside the handler of the response that makes KILL_AFTER of each kind: no later
    // tick of the server runs, and the publishes still in flight are cut off.
    const onEnd = (kind: Sent['kind']) => (): void => {
      answered[kind]++;
      if (answered.npm >= KILL_AFTER && answered.python >= KILL_AFTER && !server!.killed)
        server!.kill('SIGKILL');
    };
    const outcomes = await Promise.allSettled(all.map((s) => s.send(onEnd(s.kind))));
    await killed;
    const stored = all.filter((_, i) => {
      const o = outcomes[i]!;
      return o.status === 'fulfilled' && (o.value === 200 || o.value === 201);
    });
    expect(stored.filter((s) => s.kind === 'npm').length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(stored.filter((s) => s.kind === 'python').length).toBeGreaterThanOrEqual(KILL_AFTER);

    const found = new Map<Sent, string>();
    const db = await openDatabase(database);
    try {
      for (const s of stored) {
        let query = db
          .selectFrom('packages')
          .select(['id', 'blob_sha256'])
          .where('format', '=', s.kind)
          .where('name', '=', s.name)
          .where('version', '=', s.version)
          .where('deleted_at', 'is', null);
        if (s.kind === 'python') query = query.where('filename', '=', s.filename);
        const rows = await query.execute();
        expect(rows).toHaveLength(1);
        expect(rows[0]!.blob_sha256).toBe(sha256(s.bytes));
        found.set(s, rows[0]!.id);
      }
      const ids = [...found.values()];
      const events = await db
        .selectFrom('audit_events')
        .select('object_slug_perm')
        .where('event', '=', 'package.created')
        .where('object_slug_perm', 'in', ids)
        .execute();
      expect(new Set(events.map((e) => e.object_slug_perm))).toEqual(new Set(ids));
      const scans = await db
        .selectFrom('jobs')
        .select('dedupe_key')
        .where(
          'dedupe_key',
          'in',
          ids.map((id) => `scan:${id}`),
        )
        .execute();
      expect(scans).toHaveLength(ids.length);
    } finally {
      await db.destroy();
    }

    await startServer();
    for (const [s, id] of found) {
      const res = await fetch(`${base()}/dl/acme/own/${id}/${s.filename}`, {
        headers: { 'x-api-key': adminKey },
      });
      expect(res.status).toBe(200);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(s.bytes));
    }
    // The killed run's locks and leases do not stand in the way of the next publish.
    const again = await npmPublish(EACH);
    expect(await again.send(() => undefined)).toBe(201);
  }, 120_000);
});
