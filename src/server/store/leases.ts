import type { Db } from './db.js';

/** A lease as stored: who holds it and until when. */
export interface Lease {
  name: string;
  holder: string;
  /** ISO time after which another holder may take it. */
  expiresAt: string;
  /** ISO time at which `holder` took it. */
  acquiredAt: string;
}

/**
 * Takes the lease `name` for `holder` until `now + ttlMs` when it is free, expired or already
 * held by `holder` (then it is renewed). One upsert decides, so of several processes asking at
 * once exactly one gets it, on SQLite and on PostgreSQL alike. Returns whether `holder` holds it.
 */
export async function acquireLease(
  db: Db,
  name: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const expires = new Date(now.getTime() + ttlMs).toISOString();
  const row = await db
    .insertInto('leases')
    .values({ name, holder, expires_at: expires, acquired_at: nowIso })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({
          holder,
          expires_at: expires,
          // A renewal keeps the time the holder first took it.
          acquired_at: eb
            .case()
            .when('leases.holder', '=', holder)
            .then(eb.ref('leases.acquired_at'))
            .else(nowIso)
            .end(),
        }))
        .where((eb) => eb.or([eb('leases.expires_at', '<=', nowIso), eb('leases.holder', '=', holder)])),
    )
    .returning('holder')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Extends a lease `holder` holds to `now + ttlMs`. False when another holder has taken it (after
 * it expired) or it was released: the caller no longer holds it and must stop.
 */
export async function renewLease(
  db: Db,
  name: string,
  holder: string,
  now: Date,
  ttlMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('leases')
    .set({ expires_at: new Date(now.getTime() + ttlMs).toISOString() })
    .where('name', '=', name)
    .where('holder', '=', holder)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives a lease up when `holder` holds it, so another holder need not wait for it to expire. */
export async function releaseLease(db: Db, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}

/** The lease `name` when someone holds it at `now`, else null. */
export async function currentLease(db: Db, name: string, now: Date): Promise<Lease | null> {
  const row = await db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row || row.expires_at <= now.toISOString()) return null;
  return { name: row.name, holder: row.holder, expiresAt: row.expires_at, acquiredAt: row.acquired_at };
}
