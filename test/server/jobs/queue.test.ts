import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createJobWorker } from '../../../src/server/jobs/worker.js';
import { JobQueue } from '../../../src/server/jobs/queue.js';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';

describe('the durable job queue', () => {
  let dir: string;
  let db: Db;
  const t0 = new Date('2026-01-01T00:00:00Z');
  const later = (ms: number): Date => new Date(t0.getTime() + ms);

  beforeEach(async () => {
    dir = tempDir();
    db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'db.sqlite') });
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps queued jobs across a reopen of the database', async () => {
    await new JobQueue(db).enqueue('scan', { pkg: 'a' }, t0);
    await db.destroy();
    db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'db.sqlite') });
    const job = await new JobQueue(db).claim(['scan'], t0);
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

  it('absorbs a second enqueue with the same dedupe key while the first is queued', async () => {
    const queue = new JobQueue(db);
    const a = await queue.enqueue('scan', { n: 1 }, t0, { dedupeKey: 'p1' });
    const b = await queue.enqueue('scan', { n: 2 }, t0, { dedupeKey: 'p1' });
    expect(b).toBe(a);
    await queue.claim(['scan'], t0);
    const c = await queue.enqueue('scan', { n: 3 }, t0, { dedupeKey: 'p1' });
    expect(c).not.toBe(a);
  });

  it('retries a failing job on the schedule and marks it failed after its last attempt', async () => {
    const queue = new JobQueue(db);
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
