import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { JobQueue } from '../../../src/server/jobs/queue.js';
import { SchedulerLease } from '../../../src/server/jobs/scheduler.js';
import type { Db } from '../../../src/server/store/db.js';
import { currentLease } from '../../../src/server/store/leases.js';
import { BACKENDS } from '../../helpers/upload.js';
import { startSharedDatabase, type SharedDatabase } from './databases.js';

const CHILD = fileURLToPath(new URL('../../fixtures/jobs/queue-child.mjs', import.meta.url));

/** A child process of the queue fixture, with its stdout events. */
interface Child {
  process: ChildProcess;
  events: Record<string, unknown>[];
  /** Resolves with the first event that has `key`. */
  next(key: string): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events: Record<string, unknown>[] = [];
  const waiting: Array<{ key: string; resolve: (e: Record<string, unknown>) => void }> = [];
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    events.push(event);
    for (const w of waiting.filter((w) => w.key in event)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(event);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    events,
    exited,
    next: (key) => {
      const seen = events.find((e) => key in e);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ key, resolve });
        void exited.then((code) => reject(new Error(`the child exited (${code}) before printing ${key}`)));
      });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (the test's timeout bounds the wait). */
async function eventually<T>(probe: () => Promise<T | null>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    await sleep(100);
  }
}

describe.each(BACKENDS)('replicas as separate processes on %s', (backend) => {
  let shared: SharedDatabase;
  let db: Db;
  const children: Child[] = [];

  beforeAll(async () => {
    shared = await startSharedDatabase(backend);
    db = await shared.open();
  }, 60_000);
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
      await c.exited;
    }
    await shared.reset();
  });
  afterAll(async () => {
    await shared?.stop();
  });

  const child = (...args: string[]): Child => {
    const c = startChild(args);
    children.push(c);
    return c;
  };

  it('runs each of 200 jobs exactly once with two processes claiming at once', async () => {
    const seed = new JobQueue(db);
    for (let n = 0; n < 200; n++) await seed.enqueue('race', { n }, new Date());
    const workers = [
      child('drain', JSON.stringify(shared.config), 'a'),
      child('drain', JSON.stringify(shared.config), 'b'),
    ];
    await Promise.all(workers.map((w) => w.next('ready')));
    for (const w of workers) w.process.stdin!.end('go\n');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

    const ran = workers.flatMap((w) => w.events.filter((e) => 'ran' in e));
    expect(ran).toHaveLength(200);
    expect(new Set(ran.map((e) => e.ran)).size).toBe(200);
    expect(ran.every((e) => e.completed === true)).toBe(true);
    // Both processes got work: they really raced for the jobs.
    expect(workers.map((w) => w.events.some((e) => 'ran' in e))).toEqual([true, true]);
    const rows = await db.selectFrom('jobs').select(['status', 'attempts']).execute();
    expect(rows.filter((r) => r.status !== 'done' || r.attempts !== 1)).toEqual([]);
  }, 60_000);

  it('gives the job of a SIGKILLed process to another once its lease expires, not before', async () => {
    const leaseMs = 2000;
    const queue = new JobQueue(db, { leaseMs, heartbeatMs: 0 });
    const id = await queue.enqueue('held', {}, new Date());
    const holder = child('hold', JSON.stringify(shared.config), String(leaseMs));
    expect(await holder.next('claimed')).toMatchObject({ claimed: id });

    // Past a whole lease the job is still the child's: its heartbeats renew the lease.
    await sleep(leaseMs * 1.5);
    expect(await queue.claim(['held'], new Date())).toBeNull();

    holder.process.kill('SIGKILL');
    await holder.exited;
    const taken = await eventually(() => queue.claim(['held'], new Date()));
    expect(taken).toMatchObject({ id, attempts: 2 });
    expect(await queue.complete(taken, new Date())).toBe(true);
    const row = await db.selectFrom('jobs').select(['status', 'attempts']).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'done', attempts: 2 });
  }, 60_000);

  it('lets one of two processes hold a scheduler lease, and the other take it after the holder dies', async () => {
    const ttlMs = 2000;
    const holder = child('lease', JSON.stringify(shared.config), 'upload-expiry', String(ttlMs));
    const held = await holder.next('held');
    expect(held).toMatchObject({ held: true });

    const mine = new SchedulerLease(db, 'upload-expiry', { ttlMs, clock: () => new Date() });
    let ran = false;
    expect(await mine.runIfHeld(async () => void (ran = true))).toBe(false);
    // A second process asking is refused too, and the holder keeps it past its TTL by renewing.
    const refused = child('lease', JSON.stringify(shared.config), 'upload-expiry', String(ttlMs));
    expect(await refused.next('held')).toEqual({ held: false });
    await sleep(ttlMs * 1.5);
    expect(await mine.acquire()).toBe(false);
    expect((await currentLease(db, 'upload-expiry', new Date()))?.holder).toBe(held.holder);

    holder.process.kill('SIGKILL');
    await holder.exited;
    await eventually(async () => ((await mine.acquire()) ? true : null));
    expect(await mine.runIfHeld(async () => void (ran = true))).toBe(true);
    expect(ran).toBe(true);
    expect((await currentLease(db, 'upload-expiry', new Date()))?.holder).toBe(mine.holder);
  }, 60_000);
});
