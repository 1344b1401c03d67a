import fs from 'node:fs';
import { buildApp } from '../../../src/server/app.js';
import { parseConfig, type ServerConfigInput } from '../../../src/server/config.js';
import type { BackgroundTask } from '../../../src/server/domain/background.js';
import type { leasedIntervalTask } from '../../../src/server/jobs/scheduler.js';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import { currentLease } from '../../../src/server/store/leases.js';
import { makeTar } from '../../fixtures/packages/archives.js';
import { postgresAvailable, startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { startReceiver, type Receiver } from '../../helpers/receivers.js';
import { startTestServer, tempDir, TEST_OUTBOUND_ALLOW, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

const PACKAGES = 30;

/** Polls `probe` until it returns true (the test's timeout bounds the wait). */
async function until(probe: () => Promise<boolean>): Promise<void> {
  while (!(await probe())) await new Promise((r) => setTimeout(r, 100));
}

function npmTarball(n: number): Promise<Buffer> {
  const name = `app-${n}`;
  const manifest = { name, version: '1.0.0', license: 'MIT', dependencies: { 'left-pad': '1.3.0' } };
  const lock = {
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
      'node_modules/left-pad': { version: '1.3.0' },
    },
  };
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify(manifest) },
    { name: 'package/package-lock.json', content: JSON.stringify(lock) },
  ]);
}

/**
 * Two full services on one PostgreSQL database (and one data directory, standing in for shared
 * blob storage), both running their scan worker and webhook dispatcher: replicas racing for the
 * same queue. Their workers start together on a backlog, so that they claim at the same moments.
 */
(postgresAvailable() ? describe : describe.skip)('two service replicas on one PostgreSQL database', () => {
  let pg: TestPostgres;
  let dataDir: string;
  let a: TestServer;
  let b: TestServer;
  let receiver: Receiver;
  let db: Db;

  beforeAll(async () => {
    pg = await startPostgres();
    dataDir = tempDir();
    receiver = await startReceiver((_req, res) => res.writeHead(204).end());
    const input: Partial<ServerConfigInput> = {
      database: { kind: 'postgres', url: pg.url },
      dataDir,
      webhooks: { retryDelaysSeconds: [1, 1] },
    };
    a = await startTestServer(input);
    const built = await buildApp(
      parseConfig({
        logLevel: 'silent',
        port: 0,
        outbound: { allow: TEST_OUTBOUND_ALLOW },
        ...input,
        // The blob store the first replica was given (a bucket in the PostgreSQL + S3 pass).
        blobs: a.ctx.config.blobs,
        dataDir,
      }),
    );
    await built.app.listen({ host: '127.0.0.1', port: 0 });
    b = { ...a, ...built, url: built.ctx.baseUrl, close: () => built.app.close() };
    db = await openDatabase({ kind: 'postgres', url: pg.url });
  }, 60_000);
  afterAll(async () => {
    await b?.close().catch(() => undefined);
    await a?.close().catch(() => undefined);
    await db?.destroy();
    await receiver?.close();
    pg?.stop();
  });

  it('scans each package once and delivers each webhook event once, by event id', async () => {
    await createRepo(a, 'dev');
    const hook = await api(b, 'POST', '/webhooks/acme/dev/', {
      target_url: `${receiver.url}/hook`,
      events: ['*'],
    });
    expect(hook.status).toBe(201);

    const created = await Promise.all(
      Array.from({ length: PACKAGES }, async (_, n) => {
        const res = await uploadPackage<{ slug_perm: string }>(
          n % 2 ? a : b,
          'dev',
          'npm',
          await npmTarball(n),
          `app-${n}-1.0.0.tgz`,
        );
        expect(res.status).toBe(201);
        return res.body.slug_perm;
      }),
    );

    // The backlog (a ping, the scans, the deliveries of package.created) waits for the workers.
    for (const task of [...a.tasks, ...b.tasks]) task.start();
    for (const replica of [a, b]) {
      replica.services.scan.worker.kick();
      replica.services.webhooks.worker.kick();
    }

    // Every job the replicas share has run: the scans, and the deliveries the events queued.
    await until(async () => {
      const open = await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirstOrThrow();
      const scanned = await db
        .selectFrom('packages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('security_scan_completed_at', 'is not', null)
        .executeTakeFirstOrThrow();
      return Number(open.n) === 0 && Number(scanned.n) === PACKAGES;
    });
    // Nothing is still on its way to the receiver from either replica.
    await until(
      async () => a.services.webhooks.worker.inFlight() + b.services.webhooks.worker.inFlight() === 0,
    );
    await Promise.all([a.close(), b.close()]);

    const scans = await db
      .selectFrom('scans')
      .select(['package_id', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('package_id')
      .execute();
    expect(scans).toHaveLength(PACKAGES);
    expect(scans.filter((s) => Number(s.n) !== 1)).toEqual([]);

    const jobs = await db.selectFrom('jobs').select(['kind', 'status', 'attempts', 'locked_by']).execute();
    expect(jobs.filter((j) => j.status !== 'done' || j.attempts !== 1)).toEqual([]);
    // Both replicas ran scans and deliveries: they really raced for the jobs.
    const workers = (kind: string) =>
      new Set(jobs.filter((j) => j.kind === kind).map((j) => j.locked_by?.split('/')[0]));
    expect(workers('scan.package').size).toBe(2);
    expect(workers('webhook.deliver').size).toBe(2);
    const deliveryJobs = jobs.filter((j) => j.kind === 'webhook.deliver').length;

    // An event's id is its trigger id (meta.trigger_id, X-Airlock-Delivery): each arrived once.
    const received = receiver.requests.map((r) => {
      const body = JSON.parse(r.body) as { meta: { event_id: string; trigger_id: string } };
      expect(r.headers['x-airlock-delivery']).toBe(body.meta.trigger_id);
      return body.meta;
    });
    expect(received).toHaveLength(deliveryJobs);
    expect(new Set(received.map((m) => m.trigger_id)).size).toBe(received.length);
    const byEvent = (event: string) => received.filter((m) => m.event_id === event).length;
    expect(byEvent('ping')).toBe(1);
    expect(byEvent('package.created')).toBe(PACKAGES);
    expect(byEvent('package.security_scanned')).toBe(PACKAGES);

    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .select(['trigger_id', 'outcome'])
      .where('event', '=', 'package.security_scanned')
      .execute();
    expect(deliveries).toHaveLength(PACKAGES);
    expect(deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
    expect(new Set(created).size).toBe(PACKAGES);
  }, 120_000);
});

/** The upload-expiry task of a service, with the lease it runs under. */
function expiryTask(server: { tasks: BackgroundTask[] }): ReturnType<typeof leasedIntervalTask> {
  const task = server.tasks.find((t) => t.name === 'upload-expiry');
  if (!task) throw new Error('the service has no upload-expiry task');
  return task as ReturnType<typeof leasedIntervalTask>;
}

(postgresAvailable() ? describe : describe.skip)('the upload expiry scheduler of two replicas', () => {
  let pg: TestPostgres;
  let db: Db;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    pg = await startPostgres();
    db = await openDatabase({ kind: 'postgres', url: pg.url });
  }, 60_000);
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await db?.destroy();
    pg?.stop();
  });

  it('is held by one replica and moves to the other when that one stops', async () => {
    const dataDir = tempDir();
    closers.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    // A 4 s upload TTL makes a pass every second.
    const config = parseConfig({
      logLevel: 'silent',
      port: 0,
      dataDir,
      database: { kind: 'postgres', url: pg.url },
      limits: { uploadTtlSeconds: 4 },
    });
    const replicas = [await buildApp(config), await buildApp(config)];
    for (const r of replicas) closers.push(() => r.app.close());
    const holders = replicas.map((r) => expiryTask(r).lease.holder);
    expect(new Set(holders).size).toBe(2);

    const holderNow = async () => (await currentLease(db, 'upload-expiry', new Date()))?.holder;
    await until(async () => (await holderNow()) !== undefined);
    const first = (await holderNow())!;
    expect(holders).toContain(first);

    const leader = replicas[holders.indexOf(first)]!;
    const follower = holders.find((h) => h !== first)!;
    await leader.app.close();
    await until(async () => (await holderNow()) === follower);
  }, 60_000);
});
