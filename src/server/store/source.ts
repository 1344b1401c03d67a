/**
 * How store functions are handed the database. Domain code passes what it holds — the service
 * context, or the transaction it is composing writes in — and never reaches for the database
 * handle itself, so queries stay in this folder.
 */

import { PostgresAdapter } from 'kysely';
import type { Db } from './db.js';

/** The database, a transaction of it, or anything holding the database (the service context). */
export type DbSource = Db | { readonly db: Db };

/** The query handle behind a source: the transaction or database itself, else the one it holds. */
export function dbOf(source: DbSource): Db {
  return 'selectFrom' in source ? source : source.db;
}

/** Whether the database is PostgreSQL (row locks, SKIP LOCKED) rather than SQLite (one writer). */
export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Runs `work` in one transaction of the source's database: every store call given the handle
 * commits together or not at all. What `work` returns is returned; what it throws rolls back and
 * is rethrown.
 */
export async function inTransaction<T>(source: DbSource, work: (trx: Db) => Promise<T>): Promise<T> {
  return dbOf(source)
    .transaction()
    .execute((trx) => work(trx));
}
