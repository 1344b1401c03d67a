import pino from 'pino';
import { JOB_RETENTION_MS, pruneFinishedJobs } from '../../../src/server/jobs/maintenance.js';
import { createJobWorker } from '../../../src/server/jobs/worker.js';
import { JobQueue, type Job } from '../../../src/server/jobs/queue.js';
import type { Db } from '../../../src/server/store/db.js';
import { BACKENDS } from '../../helpers/upload.js';
import { startSharedDatabase, type SharedDatabase } from './databases.js';

describe.each(BACKENDS)('the durable job queue on %s', (backend) => {
  let shared: SharedDatabase;
  let db: Db;
  let other: Db;
  const t0 = new Date('2026-01-01T00:00:00Z');
  const later = (ms: number): Date => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    shared = await startSharedDatabase(backend);
    db = await shared.open();
    // A second handle with its own connections: another replica.
    other = await shared.open();
  }, 60_000);
  afterAll(async () => {
    await shared?.stop();
  });
  beforeEach(async () => {
    await shared.reset();
  });

  const jobRows = () =>
    db.selectFrom('jobs').select(['id', 'status', 'attempts', 'locked_by', 'dedupe_key']).execute();

  it('keeps queued jobs across a reopen of the database', async () => {
    await new JobQueue(db).enqueue('scan', { pkg: 'a' }, t0);
    const reopened = await shared.open();
    const job = await new JobQueue(reopened, { heartbeatMs: 0 }).claim(['scan'], t0);
    expect(job).toMatchObject({ kind: 'scan', payload: { pkg: 'a' }, attempts: 1 });
  });

  it('gives a running job to another claimant only after its lease expires', async () => {
    const queue = new JobQueue(db, { leaseMs: 1000, heartbeatMs: 0 });
    await queue.enqueue('scan', {}, t0);
    expect(await queue.claim(['scan'], t0)).not.toBeNull();
    expect(await queue.claim(['scan'], later(500))).toBeNull();
    const again = await queue.claim(['scan'], later(1500));
    expect(again?.attempts).toBe(2);
  });

  it('names the claim that holds a running job', async () => {
    const queue = new JobQueue(db, { heartbeatMs: 0, workerId: 'replica-a' });
    await queue.enqueue('scan', {}, t0);
    const job = await queue.claim(['scan'], t0);
    expect(job?.lockedBy).toMatch(/^replica-a\/\d+$/);
    expect(await jobRows()).toEqual([
      expect.objectContaining({ status: 'running', locked_by: job?.lockedBy }),
    ]);
  });

  it('refuses the completion of a claim whose lease expired and was taken over', async () => {
    const a = new JobQueue(db, { leaseMs: 1000, heartbeatMs: 0 });
    const b = new JobQueue(other, { leaseMs: 1000, heartbeatMs: 0 });
    await a.enqueue('scan', {}, t0);
    const stale = (await a.claim(['scan'], t0))!;
    const current = (await b.claim(['scan'], later(1500)))!;
    expect(current.id).toBe(stale.id);
    expect(await a.complete(stale, later(1600))).toBe(false);
    expect(await a.fail(stale, 'late', later(1600), later(5000))).toBe('lost');
    expect(await a.release(stale, later(1600))).toBe(false);
    expect(await jobRows()).toEqual([
      expect.objectContaining({ status: 'running', attempts: 2, locked_by: current.lockedBy }),
    ]);
    expect(await b.complete(current, later(1700))).toBe(true);
    expect(await jobRows()).toEqual([
      expect.objectContaining({ status: 'done', attempts: 2, locked_by: current.lockedBy }),
    ]);
  });

  it('keeps a job whose holder heartbeats, and loses it to another once the heartbeats stop', async () => {
    const lost: Job[] = [];
    const a = new JobQueue(db, { leaseMs: 1000, heartbeatMs: 0, onLeaseLost: (j) => lost.push(j) });
    const b = new JobQueue(other, { leaseMs: 1000, heartbeatMs: 0 });
    await a.enqueue('scan', {}, t0);
    const job = (await a.claim(['scan'], t0))!;
    expect(await a.heartbeat(later(800))).toEqual([]);
    // Past the first lease, but the heartbeat extended it to 1800.
    expect(await b.claim(['scan'], later(1500))).toBeNull();
    // No heartbeat since: the lease ran out at 1800.
    const taken = await b.claim(['scan'], later(1900));
    expect(taken).toMatchObject({ id: job.id, attempts: 2 });
    expect(await a.heartbeat(later(2000))).toEqual([job]);
    expect(lost).toEqual([job]);
    expect(a.heldJobs()).toEqual([]);
  });

  it('tells a stale claim from a newer one of the same worker when heartbeating', async () => {
    const queue = new JobQueue(db, { leaseMs: 1000, heartbeatMs: 0 });
    await queue.enqueue('scan', {}, t0);
    const stale = (await queue.claim(['scan'], t0))!;
    const fresh = (await queue.claim(['scan'], later(1500)))!;
    expect(fresh.lockedBy).not.toBe(stale.lockedBy);
    expect(await queue.heartbeat(later(1600))).toEqual([stale]);
    expect(queue.heldJobs()).toEqual([fresh]);
    expect(await queue.complete(stale, later(1700))).toBe(false);
    expect(await queue.complete(fresh, later(1700))).toBe(true);
  });

  it('fails a job whose lease expired on its last attempt instead of running it again', async () => {
    const queue = new JobQueue(db, { leaseMs: 1000, heartbeatMs: 0 });
    await queue.enqueue('scan', {}, t0, { maxAttempts: 2 });
    expect(await queue.claim(['scan'], t0)).toMatchObject({ attempts: 1 });
    expect(await queue.claim(['scan'], later(1500))).toMatchObject({ attempts: 2 });
    expect(await queue.claim(['scan'], later(3000))).toBeNull();
    const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 2,
      last_error: expect.stringMatching(/lease expired/),
    });
  });

  it('tells onAbandoned of the jobs a claim failed, and puts back what it claimed when that fails', async () => {
    const told: unknown[] = [];
    let refuse = true;
    const queue = new JobQueue(db, {
      leaseMs: 1000,
      heartbeatMs: 0,
      onAbandoned: async (jobs) => {
        told.push(...jobs.map((j) => j.payload));
        if (refuse) throw new Error('the owner could not record it');
      },
    });
    await queue.enqueue('scan', { pkg: 'crashing' }, t0, { maxAttempts: 1 });
    // A worker that claims it and dies: its lease runs out on the job's last attempt.
    const crashed = new JobQueue(db, { leaseMs: 1000, heartbeatMs: 0 });
    expect(await crashed.claim(['scan'], t0)).toMatchObject({ attempts: 1 });
    await queue.enqueue('scan', { pkg: 'next' }, later(1000));
    await expect(queue.claim(['scan'], later(1500))).rejects.toThrow('the owner could not record it');
    expect(told).toEqual([{ pkg: 'crashing' }]);
    // The job claimed alongside is queued again, its attempt not counted, and held by nobody.
    expect(queue.heldJobs()).toEqual([]);
    const rows = await db
      .selectFrom('jobs')
      .select(['payload', 'status', 'attempts'])
      .orderBy('run_at')
      .execute();
    expect(rows).toEqual([
      { payload: JSON.stringify({ pkg: 'crashing' }), status: 'failed', attempts: 1 },
      { payload: JSON.stringify({ pkg: 'next' }), status: 'queued', attempts: 0 },
    ]);
    refuse = false;
    expect(await queue.claim(['scan'], later(2000))).toMatchObject({ payload: { pkg: 'next' }, attempts: 1 });
    expect(told).toHaveLength(1);
  });

  it('absorbs a second enqueue with the same dedupe key while the first is queued', async () => {
    const queue = new JobQueue(db, { heartbeatMs: 0 });
    const a = await queue.enqueue('scan', { n: 1 }, t0, { dedupeKey: 'p1' });
    const b = await queue.enqueue('scan', { n: 2 }, t0, { dedupeKey: 'p1' });
    expect(b).toBe(a);
    await queue.claim(['scan'], t0);
    const c = await queue.enqueue('scan', { n: 3 }, t0, { dedupeKey: 'p1' });
    expect(c).not.toBe(a);
  });

  it('creates one queued job when two replicas enqueue the same dedupe key at once', async () => {
    const queues = [new JobQueue(db), new JobQueue(other)];
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        queues[i % 2]!.enqueue('scan', { n: i }, t0, { dedupeKey: `pkg-${i % 4}` }),
      ),
    );
    const rows = await jobRows();
    expect(rows).toHaveLength(4);
    expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.id)));
    expect(new Set(rows.map((r) => r.dedupe_key))).toEqual(new Set(['pkg-0', 'pkg-1', 'pkg-2', 'pkg-3']));
  });

  it('runs each of 200 jobs exactly once with two replicas claiming concurrently', async () => {
    const seed = new JobQueue(db);
    for (let i = 0; i < 200; i++) await seed.enqueue('race', { n: i }, t0);
    const runs = new Map<number, string[]>();
    const replica = (handle: Db, name: string) => {
      const queue = new JobQueue(handle, { workerId: name });
      // Four claim loops per replica, so claims of one replica race each other as well.
      return Array.from({ length: 4 }, async () => {
        for (;;) {
          const [job] = await queue.claimMany(['race'], t0, 1);
          if (!job) return;
          const n = (job.payload as { n: number }).n;
          runs.set(n, [...(runs.get(n) ?? []), name]);
          await new Promise((r) => setImmediate(r));
          expect(await queue.complete(job, t0)).toBe(true);
        }
      });
    };
    await Promise.all([...replica(db, 'a'), ...replica(other, 'b')]);
    expect(runs.size).toBe(200);
    expect([...runs.values()].filter((r) => r.length !== 1)).toEqual([]);
    // Both replicas got work: the race was real.
    const byReplica = new Set([...runs.values()].map((r) => r[0]));
    expect(byReplica).toEqual(new Set(['a', 'b']));
    expect((await jobRows()).filter((r) => r.status !== 'done' || r.attempts !== 1)).toEqual([]);
  });

  it('prunes finished jobs past the retention and keeps the rest', async () => {
    const queue = new JobQueue(db, { heartbeatMs: 0 });
    for (const kind of ['old-done', 'old-failed', 'new-done', 'running', 'queued'])
      await queue.enqueue(kind, {}, t0);
    const settle = async (kind: string, at: Date, how: 'complete' | 'fail') => {
      const job = (await queue.claim([kind], t0))!;
      if (how === 'complete') await queue.complete(job, at);
      else await queue.fail(job, 'broken', at, null);
    };
    await settle('old-done', t0, 'complete');
    await settle('old-failed', t0, 'fail');
    await settle('new-done', later(JOB_RETENTION_MS), 'complete');
    await queue.claim(['running'], t0);
    expect(await pruneFinishedJobs(db, later(JOB_RETENTION_MS + 1))).toBe(2);
    const left = await db.selectFrom('jobs').select(['kind', 'status']).orderBy('kind').execute();
    expect(left).toEqual([
      { kind: 'new-done', status: 'done' },
      { kind: 'queued', status: 'queued' },
      { kind: 'running', status: 'running' },
    ]);
  });

  it('retries a failing job on the schedule and marks it failed after its last attempt', async () => {
    const queue = new JobQueue(db, { heartbeatMs: 0 });
    await queue.enqueue('hook', {}, t0, { maxAttempts: 2 });
    let now = t0;
    const seen: number[] = [];
    const worker = createJobWorker({
      name: 'test',
      queue,
      clock: () => now,
      log: pino({ level: 'silent' }),
      retryDelayMs: () => 10_000,
      handlers: {
        hook: async (job) => {
          seen.push(job.attempts);
          throw new Error('receiver down');
        },
      },
    });
    expect(await worker.drain()).toBe(1);
    expect(await worker.drain()).toBe(0);
    now = later(10_000);
    expect(await worker.drain()).toBe(1);
    expect(seen).toEqual([1, 2]);
    const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempts: 2, last_error: 'receiver down' });
  });
});
