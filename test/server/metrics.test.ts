import fs from 'node:fs';
import path from 'node:path';
import { JobQueue } from '../../src/server/jobs/queue.js';
import { main } from '../../src/server/main.js';
import { startReceiver } from '../helpers/receivers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createTestBucket, databaseFlags, dropTestBucket, onSharedStores } from '../helpers/stores.js';
import { api, uploadPackage } from '../helpers/upload.js';
import { npmCall, publishBody } from './npm/npm-helpers.js';
import { createRepo, randomBytes, uploadFile } from './upload-helpers.js';

const FIXTURES = new URL('../fixtures/advisories', import.meta.url).pathname;

async function scrape(server: TestServer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/metrics`, { headers });
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    await createRepo(server.ctx.db, 'acme', 'dev');
  });
  afterAll(async () => server.close());

  it('counts requests by method, route and status, with their durations, in the Prometheus text format', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${server.url}/status/check/basic/`);
    await fetch(`${server.url}/no/such/path/`);
    const res = await scrape(server);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(
      sample(text, 'airlock_http_requests_total{method="GET",route="/status/check/basic/",status="200"}'),
    ).toBe(3);
    expect(sample(text, 'airlock_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(
      sample(
        text,
        'airlock_http_request_duration_seconds_count{method="GET",route="/status/check/basic/",status="200"}',
      ),
    ).toBe(3);
  });

  it('counts the bytes of upload bodies received', async () => {
    const before = sample(await (await scrape(server)).text(), 'airlock_upload_bytes_received_total') ?? 0;
    await uploadFile(server, 'dev', randomBytes(300_000));
    await uploadFile(server, 'dev', randomBytes(1234));
    const after = sample(await (await scrape(server)).text(), 'airlock_upload_bytes_received_total');
    expect(after! - before).toBe(301_234);
  });

  it('reports the statements, commits and syncs of the embedded store: a publish commits as a group commit after syncing its blob', async () => {
    const read = async () => {
      const text = await (await scrape(server)).text();
      return {
        statements: sample(text, 'airlock_store_statements_total'),
        synced: sample(text, 'airlock_store_commits_total{sync="synced"}'),
        group: sample(text, 'airlock_store_commits_total{sync="group"}'),
        blob: sample(text, 'airlock_store_syncs_total{what="blob"}'),
      };
    };
    const before = await read();
    const { body } = await publishBody('counted', '1.0.0');
    expect((await npmCall(server, 'dev', 'PUT', 'counted', { body })).status).toBe(201);
    const after = await read();
    for (const value of Object.values(after)) expect(value).toBeDefined();
    if (onSharedStores()) return; // PostgreSQL and S3: the counters are of SQLite and files only
    expect(after.statements! - before.statements!).toBeGreaterThan(10);
    // Every row of the version (new bytes need no lock of their own).
    expect(after.group! - before.group!).toBe(1);
    expect(after.synced! - before.synced!).toBe(0);
    // The staged file and the directory that names it, at least.
    expect(after.blob! - before.blob!).toBeGreaterThanOrEqual(2);
  });

  it('reports the job backlog by kind, read from the database when scraped', async () => {
    const queue = new JobQueue(server.ctx.db);
    const due = new Date(Date.now() - 60_000);
    await queue.enqueue('metrics-test', { n: 1 }, due);
    await queue.enqueue('metrics-test', { n: 2 }, due);
    const text = await (await scrape(server)).text();
    expect(sample(text, 'airlock_jobs_queued{kind="metrics-test"}')).toBe(2);
    expect(sample(text, 'airlock_jobs_oldest_due_seconds{kind="metrics-test"}')).toBeGreaterThanOrEqual(59);
  });

  it('reports the age of each ecosystem’s advisory data once it is loaded', async () => {
    expect(await (await scrape(server)).text()).not.toMatch(/^airlock_advisory_age_seconds\{/m);
    const quiet = { out: () => undefined, err: () => undefined, env: {} };
    const args = ['--data-dir', server.dataDir, ...databaseFlags(server.ctx.config), FIXTURES];
    expect(await main(['advisories', 'import', ...args], quiet)).toBe(0);
    const age = sample(await (await scrape(server)).text(), 'airlock_advisory_age_seconds{ecosystem="npm"}');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(600);
  });
});

describe('metrics of background work', () => {
  it('observe finished scans and webhook deliveries', async () => {
    const receiver = await startReceiver((_req, res) => res.end('ok'));
    const server = await startTestServer();
    try {
      await createRepo(server.ctx.db, 'acme', 'dev');
      const hook = await api(server, 'POST', '/webhooks/acme/dev/', {
        target_url: receiver.url,
        events: ['*'],
      });
      expect(hook.status).toBe(201);
      const created = await uploadPackage<{ slug_perm: string }>(
        server,
        'dev',
        'raw',
        randomBytes(1000),
        'a.bin',
        {
          name: 'a',
          version: '1.0.0',
        },
      );
      expect(created.status).toBe(201);
      const status = await api<{ security_scan_status: string }>(
        server,
        'GET',
        `/packages/acme/dev/${created.body.slug_perm}/status/?wait=30`,
      );
      expect(status.body.security_scan_status).not.toMatch(/Awaiting|In Progress/i);
      // Deliveries run in the background: scrape until the first one is counted (bounded by the test timeout).
      let text = '';
      while (!/^airlock_webhook_deliveries_total\{outcome="delivered"\} [1-9]/m.test(text)) {
        await new Promise((r) => setTimeout(r, 100));
        text = await (await scrape(server)).text();
      }
      expect(text).toMatch(/^airlock_webhook_delivery_duration_seconds_count\{outcome="delivered"\} [1-9]/m);
      expect(text).toMatch(/^airlock_scan_duration_seconds_count\{outcome="[a-z_]+"\} 1$/m);
    } finally {
      await server.close();
      await receiver.close();
    }
  }, 60_000);
});

describe('access to GET /metrics', () => {
  it('needs the metrics token as a bearer token when one is set', async () => {
    const server = await startTestServer({ metrics: { token: 'scrape-token-1' } }, { background: false });
    try {
      expect((await scrape(server)).status).toBe(401);
      expect((await scrape(server, { authorization: 'Bearer wrong' })).status).toBe(401);
      const res = await scrape(server, { authorization: 'Bearer scrape-token-1' });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('airlock_http_requests_total');
    } finally {
      await server.close();
    }
  });

  it('refuses a client that is not on loopback, as a trusted proxy reports it, when no token is set', async () => {
    const server = await startTestServer({ trustProxy: true }, { background: false });
    try {
      const res = await scrape(server, { 'x-forwarded-for': '203.0.113.7' });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        code: 'permission_denied',
        detail: expect.stringContaining('--metrics-token'),
      });
      expect((await scrape(server)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('keeps separate registries for separate apps in one process', async () => {
    const a = await startTestServer({}, { background: false });
    const b = await startTestServer({}, { background: false });
    try {
      await fetch(`${a.url}/status/check/basic/`);
      const series = 'airlock_http_requests_total{method="GET",route="/status/check/basic/",status="200"}';
      expect(sample(await (await scrape(a)).text(), series)).toBe(1);
      expect(sample(await (await scrape(b)).text(), series)).toBeUndefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('GET /status/check/ready/', () => {
  it('answers 200 when the database and the blob store answer', async () => {
    const server = await startTestServer({}, { background: false });
    try {
      const res = await fetch(`${server.url}/status/check/ready/`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ detail: 'Ready.', checks: { database: 'ok', blobs: 'ok' } });
    } finally {
      await server.close();
    }
  });

  it('answers 503 naming the blob store when it cannot take writes', async () => {
    const server = await startTestServer({}, { background: false });
    try {
      const blobs = server.ctx.config.blobs;
      const tmp = path.join(server.dataDir, 'tmp');
      if (blobs.kind === 's3') {
        // A bucket that is gone makes every write fail.
        await dropTestBucket(blobs.bucket);
      } else {
        // Staging happens under tmp/: a file in its place makes every write fail.
        fs.rmSync(tmp, { recursive: true, force: true });
        fs.writeFileSync(tmp, 'not a directory');
      }
      const res = await fetch(`${server.url}/status/check/ready/`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { detail: string; code: string; checks: Record<string, string> };
      expect(body.code).toBe('unavailable');
      expect(body.checks.database).toBe('ok');
      expect(body.checks.blobs).not.toBe('ok');
      expect(body.detail).toMatch(/^Not ready: blobs: /);
    } finally {
      const blobs = server.ctx.config.blobs;
      if (blobs.kind === 's3') await createTestBucket(blobs.bucket);
      else {
        fs.rmSync(path.join(server.dataDir, 'tmp'), { force: true });
        fs.mkdirSync(path.join(server.dataDir, 'tmp'));
      }
      await server.close();
    }
  });

  it('answers 503 naming the database when it does not answer', async () => {
    const server = await startTestServer({}, { background: false });
    try {
      await server.ctx.db.destroy();
      const res = await fetch(`${server.url}/status/check/ready/`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { detail: string; checks: Record<string, string> };
      expect(body.checks.blobs).toBe('ok');
      expect(body.detail).toMatch(/^Not ready: database: /);
    } finally {
      await server.close();
    }
  });
});
