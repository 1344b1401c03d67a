import type { Db } from '../../store/db.js';

const LEASE = 'advisory-sync';

/**
 * Takes (or renews) the advisory sync lease for `holder` until `now + ttlMs`, when it is free,
 * expired or already held by `holder`. One conditional update decides, so of several processes
 * sharing the database exactly one gets it. Returns whether `holder` holds it now.
 */
export async function acquireSyncLease(db: Db, holder: string, now: Date, ttlMs: number): Promise<boolean> {
  const expires = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto('advisory_sync_lease')
    .values({ name: LEASE, holder: '', expires_at: new Date(0).toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const result = await db
    .updateTable('advisory_sync_lease')
    .set({ holder, expires_at: expires })
    .where('name', '=', LEASE)
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('holder', '=', holder)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease up (when `holder` holds it), so another process need not wait for it to expire. */
export async function releaseSyncLease(db: Db, holder: string, now: Date): Promise<void> {
  await db
    .updateTable('advisory_sync_lease')
    .set({ expires_at: now.toISOString() })
    .where('name', '=', LEASE)
    .where('holder', '=', holder)
    .execute();
}

/** Who holds the lease and until when, or null when nobody does at `now`. */
export async function currentSyncLease(
  db: Db,
  now: Date,
): Promise<{ holder: string; expiresAt: string } | null> {
  const row = await db
    .selectFrom('advisory_sync_lease')
    .select(['holder', 'expires_at'])
    .where('name', '=', LEASE)
    .executeTakeFirst();
  return row && row.expires_at > now.toISOString() ? { holder: row.holder, expiresAt: row.expires_at } : null;
}
