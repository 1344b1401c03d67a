import type { Db } from './db.js';

/**
 * Whatever holds the service's database: the service context, a command's opened database, or
 * one transaction of it. Store functions take this rather than a bare handle so that callers
 * pass what they hold and never reach for the handle themselves.
 */
export interface DbSource {
  readonly db: Db;
}

/** The source a caller that holds a bare handle (a command, a scheduler) passes to the store. */
export function sourceOf(db: Db): DbSource {
  return { db };
}

/**
 * Runs `fn` in one transaction. What it gets is itself a source, so every store call made through
 * it (and `recordAudit(tx.db, …)`) commits or rolls back together.
 */
export function inTransaction<T>(source: DbSource, fn: (tx: DbSource) => Promise<T>): Promise<T> {
  return source.db.transaction().execute((trx) => fn({ db: trx }));
}
