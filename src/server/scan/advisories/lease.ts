import type { Db } from '../../store/db.js';
import { dbOf, type DbSource } from '../../store/source.js';
import { acquireLease, currentLease, releaseLease } from '../../store/leases.js';

/** The name of the advisory sync's lease in the `leases` table. */
export const SYNC_LEASE = 'advisory-sync';

/**
 * Takes (or renews) the advisory sync lease for `holder` until `now + ttlMs`, when it is free,
 * expired or already held by `holder`. Of several processes sharing the database exactly one
 * gets it (see {@link acquireLease}). Returns whether `holder` holds it now.
 */
export async function acquireSyncLease(
  source: DbSource,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const db = dbOf(source);
  return acquireLease(db, SYNC_LEASE, holder, now, ttlMs);
}

/**
 * Gives the lease up (when `holder` holds it), so another process need not wait for it to expire.
 * The time is not needed (the lease row is deleted); callers may still pass it.
 */
export async function releaseSyncLease(source: DbSource, holder: string, _now?: Date): Promise<void> {
  const db = dbOf(source);
  await releaseLease(db, SYNC_LEASE, holder);
}

/** Who holds the lease and until when, or null when nobody does at `now`. */
export async function currentSyncLease(
  db: Db,
  now: Date,
): Promise<{ holder: string; expiresAt: string } | null> {
  const lease = await currentLease(db, SYNC_LEASE, now);
  return lease && { holder: lease.holder, expiresAt: lease.expiresAt };
}
