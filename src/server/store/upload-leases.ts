import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { BlobStore } from './blobs.js';
import { compiledOnce } from './compiled-once.js';
import { dbOf, type DbSource } from './source.js';

/** How long leases last and how often they are renewed and retried. */
export interface LeaseTiming {
  /** Lifetime of a lease that is not renewed: how long a dead process's lock blocks others. */
  leaseMs: number;
  /** Renewal period while held; well under `leaseMs` so a slow renewal never lets it lapse. */
  renewMs: number;
  /** Wait between attempts on a lock someone else holds. */
  pollMs: number;
}

/** 30 s leases renewed every 10 s; a held lock is retried every 50 ms. */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseMs: 30_000, renewMs: 10_000, pollMs: 50 };

/** Where leases are kept and how time is read: the database and the service clock. */
export interface LeaseScope {
  db: DbSource;
  clock: () => Date;
  /** The owner recorded on every lease of this process ({@link leaseOwner}). */
  owner: string;
  timing?: LeaseTiming;
}

/**
 * The owner name of a process's leases: host and blob store. A store one process owns alone (a
 * data directory) gives every run of it the same owner, so a new run can drop what a killed one
 * held instead of waiting for the leases to expire.
 */
export function leaseOwner(blobs: BlobStore): string {
  return `${os.hostname()} ${blobs.description}`;
}

function token(): string {
  return crypto.randomBytes(16).toString('hex');
}

function until(scope: LeaseScope, timing: LeaseTiming): string {
  return new Date(scope.clock().getTime() + timing.leaseMs).toISOString();
}

/** A lease this process holds: renewed on a timer until released. */
export interface HeldLease {
  readonly token: string;
  /**
   * Extends the lease now; false when it was lost (expired and taken, or dropped). `via` runs it
   * in the caller's transaction instead of on its own.
   */
  renew(via?: DbSource): Promise<boolean>;
  /** Stops renewing and deletes the lease (in the caller's transaction `via`, when given). */
  release(via?: DbSource): Promise<void>;
}

function hold(
  timing: LeaseTiming,
  renew: (via?: DbSource) => Promise<boolean>,
  remove: (via?: DbSource) => Promise<void>,
  id: string,
): HeldLease {
  // A failed renewal is retried at the next tick; the lease outlives two missed ones.
  const timer = setInterval(() => void renew().catch(() => undefined), timing.renewMs);
  timer.unref();
  return {
    token: id,
    renew,
    async release(via?: DbSource): Promise<void> {
      clearInterval(timer);
      await remove(via);
    },
  };
}

/**
 * Takes the lock on one blob address when it is free or its lease expired; null when another
 * live holder has it. One conditional statement decides, so of several processes exactly one
 * gets it. `via` runs the taking in the caller's transaction (renewals use the database).
 */
export async function tryLockBlob(
  scope: LeaseScope,
  sha256: string,
  via: DbSource = scope.db,
): Promise<HeldLease | null> {
  const timing = scope.timing ?? DEFAULT_LEASE_TIMING;
  const id = token();
  const now = scope.clock().toISOString();
  const expires = until(scope, timing);
  const inserted = await dbOf(via)
    .insertInto('blob_locks')
    .values({ sha256, token: id, owner: scope.owner, expires_at: expires })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .executeTakeFirst();
  let taken = Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  if (!taken) {
    const stolen = await dbOf(via)
      .updateTable('blob_locks')
      .set({ token: id, owner: scope.owner, expires_at: expires })
      .where('sha256', '=', sha256)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    taken = stolen.numUpdatedRows === 1n;
  }
  if (!taken) return null;
  const renew = async (on: DbSource = scope.db): Promise<boolean> => {
    const res = await dbOf(on)
      .updateTable('blob_locks')
      .set({ expires_at: until(scope, timing) })
      .where('sha256', '=', sha256)
      .where('token', '=', id)
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  };
  const remove = async (on: DbSource = scope.db): Promise<void> => {
    await dbOf(on).deleteFrom('blob_locks').where('sha256', '=', sha256).where('token', '=', id).execute();
  };
  return hold(timing, renew, remove, id);
}

// Both in one statement: one snapshot on PostgreSQL, where garbage collection's lock and its
// deletion of the row commit one after the other.
const selectAddressUse = compiledOnce((db, p: { sha256: string }) =>
  db.selectNoFrom((eb) => [
    eb.exists(eb.selectFrom('blobs').select(sql.lit(1).as('x')).where('sha256', '=', p.sha256)).as('row'),
    eb
      .exists(eb.selectFrom('blob_locks').select(sql.lit(1).as('x')).where('sha256', '=', p.sha256))
      .as('locked'),
  ]),
);

/**
 * True when a blob address has neither a blob row nor a lock: no bytes are known there and no
 * garbage collection is removing any (it deletes a blob's row and then its file, both under the
 * address's lock). Bytes committed to such an address need no lock while their rows follow
 * soon: collection only ever considers a blob whose row is older than the upload TTL.
 */
export async function blobAddressUnused(source: DbSource, sha256: string): Promise<boolean> {
  const { rows } = await selectAddressUse(source, { sha256 });
  const row = rows[0] as { row: unknown; locked: unknown } | undefined;
  // SQLite answers 0/1, PostgreSQL booleans.
  return !!row && !Number(row.row) && !Number(row.locked);
}

/**
 * Runs `fn` holding the lock on one blob address, waiting while another process (or request)
 * holds it; a lock whose holder died frees itself when its lease expires. `fn` gets a check
 * that confirms (and extends) the lock right before a step that must not run without it.
 */
export async function withBlobLock<T>(
  scope: LeaseScope,
  sha256: string,
  fn: (stillHeld: () => Promise<boolean>) => Promise<T>,
): Promise<T> {
  const timing = scope.timing ?? DEFAULT_LEASE_TIMING;
  let lock = await tryLockBlob(scope, sha256);
  while (!lock) {
    await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
    lock = await tryLockBlob(scope, sha256);
  }
  try {
    return await fn(lock.renew);
  } finally {
    await lock.release();
  }
}

/** Marks an upload as receiving bytes in this process until released (renewed meanwhile). */
export async function markReceiving(scope: LeaseScope, uploadId: string): Promise<HeldLease> {
  const timing = scope.timing ?? DEFAULT_LEASE_TIMING;
  const id = token();
  await dbOf(scope.db)
    .insertInto('upload_receipts')
    .values({ token: id, upload_id: uploadId, owner: scope.owner, expires_at: until(scope, timing) })
    .execute();
  const renew = async (): Promise<boolean> => {
    const res = await dbOf(scope.db)
      .updateTable('upload_receipts')
      .set({ expires_at: until(scope, timing) })
      .where('token', '=', id)
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  };
  const remove = async (): Promise<void> => {
    await dbOf(scope.db).deleteFrom('upload_receipts').where('token', '=', id).execute();
  };
  return hold(timing, renew, remove, id);
}

/**
 * Drops every lease `owner` holds: called at start by a process that owns its store alone, when
 * whatever its previous run held is known to be dead. Also deletes leases of any owner that
 * expired before `now`. Returns how many receipts were dropped.
 */
export async function dropLeases(source: DbSource, owner: string | null, now: Date): Promise<number> {
  const db = dbOf(source);
  const iso = now.toISOString();
  await db
    .deleteFrom('blob_locks')
    .where((eb) => eb.or([eb('expires_at', '<=', iso), ...(owner === null ? [] : [eb('owner', '=', owner)])]))
    .execute();
  const receipts = await db
    .deleteFrom('upload_receipts')
    .where((eb) => eb.or([eb('expires_at', '<=', iso), ...(owner === null ? [] : [eb('owner', '=', owner)])]))
    .executeTakeFirst();
  return Number(receipts.numDeletedRows);
}
