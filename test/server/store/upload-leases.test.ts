import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import {
  dropLeases,
  markReceiving,
  tryLockBlob,
  withBlobLock,
  type LeaseScope,
  type LeaseTiming,
} from '../../../src/server/store/upload-leases.js';
import { uploadsReceiving } from '../../../src/server/store/uploads.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { BACKENDS } from '../../helpers/upload.js';
import { tempDir } from '../../helpers/server.js';

const SHA = 'a'.repeat(64);
// Renewal timers never fire on their own here: the test renews by hand, or lets a "dead"
// holder's lease run out by moving the clock.
const TIMING: LeaseTiming = { leaseMs: 30_000, renewMs: 3_600_000, pollMs: 5 };

describe.each(BACKENDS)('blob locks and receipts with leases (%s)', (backend) => {
  let db: Db;
  let pg: TestPostgres | null = null;
  let dir: string | null = null;
  let now: Date;
  const scope = (owner: string): LeaseScope => ({ db, clock: () => now, owner, timing: TIMING });
  const later = (ms: number): void => {
    now = new Date(now.getTime() + ms);
  };

  beforeAll(async () => {
    if (backend === 'postgres') {
      pg = await startPostgres();
      db = await openDatabase({ kind: 'postgres', url: pg.url });
    } else {
      dir = tempDir('airlock-leases-');
      db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'airlock.db') });
    }
  }, 60_000);
  afterAll(async () => {
    await db?.destroy();
    pg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    now = new Date('2026-06-01T12:00:00.000Z');
    await db.deleteFrom('blob_locks').execute();
    await db.deleteFrom('upload_receipts').execute();
  });

  it('gives a blob lock to one holder at a time, and frees the lock of a dead holder after its lease', async () => {
    const dead = await tryLockBlob(scope('host-a'), SHA);
    expect(dead).not.toBeNull();
    expect(await tryLockBlob(scope('host-b'), SHA)).toBeNull();
    later(TIMING.leaseMs - 1);
    expect(await tryLockBlob(scope('host-b'), SHA)).toBeNull();
    later(1);
    const taken = await tryLockBlob(scope('host-b'), SHA);
    expect(taken).not.toBeNull();
    // The old holder finds out it lost the lock the moment it checks, and cannot release the new one.
    expect(await dead!.renew()).toBe(false);
    await dead!.release();
    expect(await tryLockBlob(scope('host-c'), SHA)).toBeNull();
    await taken!.release();
    expect(await tryLockBlob(scope('host-c'), SHA)).not.toBeNull();
  });

  it('keeps a renewed lock for a full lease after each renewal', async () => {
    const held = (await tryLockBlob(scope('host-a'), SHA))!;
    later(20_000);
    expect(await held.renew()).toBe(true);
    later(20_000);
    expect(await tryLockBlob(scope('host-b'), SHA)).toBeNull();
    later(10_000);
    expect(await tryLockBlob(scope('host-b'), SHA)).not.toBeNull();
    await held.release();
  });

  it('makes withBlobLock wait for the holder, and run once the lease of a holder that died ends', async () => {
    await tryLockBlob(scope('host-a'), SHA);
    let ran = false;
    const waiting = withBlobLock(scope('host-b'), SHA, async (stillHeld) => {
      ran = true;
      return stillHeld();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ran).toBe(false);
    later(TIMING.leaseMs);
    await expect(waiting).resolves.toBe(true);
    expect(ran).toBe(true);
    // Released on the way out.
    expect(await db.selectFrom('blob_locks').selectAll().execute()).toEqual([]);
  });

  it('tells which uploads are being received until the receipt is released or its lease ends', async () => {
    const a = await markReceiving(scope('host-a'), 'up-a');
    await markReceiving(scope('host-b'), 'up-b');
    expect(await uploadsReceiving(db, ['up-a', 'up-b', 'up-c'], now)).toEqual(new Set(['up-a', 'up-b']));
    await a.release();
    expect(await uploadsReceiving(db, ['up-a', 'up-b'], now)).toEqual(new Set(['up-b']));
    later(TIMING.leaseMs);
    expect(await uploadsReceiving(db, ['up-b'], now)).toEqual(new Set());
  });

  it('drops at once every lease of an owner whose previous run died, and only expired ones of others', async () => {
    await markReceiving(scope('host-a /data'), 'up-a');
    await tryLockBlob(scope('host-a /data'), SHA);
    await markReceiving(scope('host-b /data'), 'up-b');
    expect(await dropLeases(db, 'host-a /data', now)).toBe(1);
    expect(await uploadsReceiving(db, ['up-a', 'up-b'], now)).toEqual(new Set(['up-b']));
    expect(await tryLockBlob(scope('host-b /data'), SHA)).not.toBeNull();
    expect(await dropLeases(db, null, now)).toBe(0);
    later(TIMING.leaseMs);
    expect(await dropLeases(db, null, now)).toBe(1);
  });
});
