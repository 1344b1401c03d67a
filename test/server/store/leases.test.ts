import { SchedulerLease } from '../../../src/server/jobs/scheduler.js';
import type { Db } from '../../../src/server/store/db.js';
import { acquireLease, currentLease, releaseLease, renewLease } from '../../../src/server/store/leases.js';
import { BACKENDS } from '../../helpers/upload.js';
import { startSharedDatabase, type SharedDatabase } from '../jobs/databases.js';

describe.each(BACKENDS)('named leases on %s', (backend) => {
  let shared: SharedDatabase;
  let db: Db;
  let other: Db;
  const t0 = new Date('2026-01-01T00:00:00Z');
  const later = (ms: number): Date => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    shared = await startSharedDatabase(backend);
    db = await shared.open();
    other = await shared.open();
  }, 60_000);
  afterAll(async () => {
    await shared?.stop();
  });
  beforeEach(async () => {
    await shared.reset();
  });

  it('gives a lease to exactly one of many holders asking at once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => acquireLease(i % 2 ? db : other, 'expiry', `h${i}`, t0, 60_000)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = `h${answers.indexOf(true)}`;
    expect(await currentLease(db, 'expiry', t0)).toMatchObject({ holder: winner });
  });

  it('renews for its holder only, keeps the time it was taken, and passes on after expiry', async () => {
    expect(await acquireLease(db, 'sync', 'a', t0, 1000)).toBe(true);
    expect(await acquireLease(other, 'sync', 'b', later(500), 1000)).toBe(false);
    expect(await renewLease(other, 'sync', 'b', later(500), 1000)).toBe(false);
    expect(await acquireLease(db, 'sync', 'a', later(900), 1000)).toBe(true);
    expect(await currentLease(db, 'sync', later(1500))).toEqual({
      name: 'sync',
      holder: 'a',
      acquiredAt: t0.toISOString(),
      expiresAt: later(1900).toISOString(),
    });
    expect(await acquireLease(other, 'sync', 'b', later(1800), 1000)).toBe(false);
    expect(await acquireLease(other, 'sync', 'b', later(1900), 1000)).toBe(true);
    expect(await renewLease(db, 'sync', 'a', later(2000), 1000)).toBe(false);
    expect(await currentLease(db, 'sync', later(2000))).toMatchObject({
      holder: 'b',
      acquiredAt: later(1900).toISOString(),
    });
    expect(await currentLease(db, 'sync', later(2900))).toBeNull();
  });

  it('frees a released lease at once, and ignores a release by someone else', async () => {
    expect(await acquireLease(db, 'sync', 'a', t0, 60_000)).toBe(true);
    await releaseLease(other, 'sync', 'b');
    expect(await acquireLease(other, 'sync', 'b', t0, 60_000)).toBe(false);
    await releaseLease(db, 'sync', 'a');
    expect(await currentLease(db, 'sync', t0)).toBeNull();
    expect(await acquireLease(other, 'sync', 'b', t0, 60_000)).toBe(true);
  });

  it('keeps different leases apart', async () => {
    expect(await acquireLease(db, 'upload-expiry', 'a', t0, 60_000)).toBe(true);
    expect(await acquireLease(other, 'advisory-sync', 'b', t0, 60_000)).toBe(true);
  });

  it('runs a scheduler pass in one replica at a time and hands over after the holder stops renewing', async () => {
    let now = t0;
    const clock = () => now;
    const a = new SchedulerLease(db, 'upload-expiry', { ttlMs: 60_000, clock, holder: 'a' });
    const b = new SchedulerLease(other, 'upload-expiry', { ttlMs: 60_000, clock, holder: 'b' });
    const passes: string[] = [];
    const pass = (name: string) => async () => void passes.push(name);
    expect(await a.runIfHeld(pass('a'))).toBe(true);
    expect(await b.runIfHeld(pass('b'))).toBe(false);
    now = later(30_000);
    // The holder keeps the lease from pass to pass.
    expect(await a.runIfHeld(pass('a'))).toBe(true);
    expect(await b.runIfHeld(pass('b'))).toBe(false);
    now = later(90_000);
    expect(await b.runIfHeld(pass('b'))).toBe(true);
    expect(await a.runIfHeld(pass('a'))).toBe(false);
    await b.release();
    expect(await a.runIfHeld(pass('a'))).toBe(true);
    expect(passes).toEqual(['a', 'a', 'b', 'a']);
  });

  it('aborts a running pass whose lease another replica took over', async () => {
    let now = t0;
    const clock = () => now;
    const a = new SchedulerLease(db, 'upload-expiry', { ttlMs: 30, clock, holder: 'a' });
    const reason = await new Promise<unknown>((resolve) => {
      void a.runIfHeld(async (signal) => {
        now = later(60);
        expect(await acquireLease(other, 'upload-expiry', 'b', now, 60_000)).toBe(true);
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        resolve(signal.reason);
      });
    });
    expect(String(reason)).toMatch(/upload-expiry lease was taken over/);
  });
});
