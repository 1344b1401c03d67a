/**
 * Synchronous statements on the service's one SQLite connection, for the few hot paths (the
 * token exchange) where Kysely's executor — a chain of promises around each statement — costs
 * more than SQLite takes to run the statement. The store still owns the query: callers pass
 * queries compiled by Kysely ({@link BoundQuery}), and everything else goes through Kysely.
 */

import type { SqliteDatabase } from 'kysely';
import type { BoundQuery } from './compiled-once.js';
import type { Db } from './db.js';
import { dbOf, type DbSource } from './source.js';

/** An SQLite connection as the store opens it: Kysely's view of it, and whether a transaction is open. */
export interface SqliteConnection extends SqliteDatabase {
  readonly inTransaction: boolean;
}

/** Statements run synchronously on the SQLite connection, all within one turn of the event loop. */
export interface SqliteSession {
  /** Runs a statement that returns no rows. */
  run(query: BoundQuery): void;
  /** Runs a query; returns its rows. */
  all<R>(query: BoundQuery): R[];
  /** True while a transaction is open on the connection. */
  readonly inTransaction: boolean;
}

const connections = new WeakMap<Db, () => SqliteConnection | null>();

/**
 * Makes {@link onSqliteConnection} work for `db`; `connection` gives the connection once Kysely
 * has opened it (db.ts calls this when it opens an SQLite database).
 */
export function registerSqliteConnection(db: Db, connection: () => SqliteConnection | null): void {
  connections.set(db, connection);
}

/** True when `source` is an SQLite database (not a transaction) whose connection sessions can use. */
export function hasSqliteConnection(source: DbSource): boolean {
  return connections.has(dbOf(source));
}

function sessionOf(connection: SqliteConnection): SqliteSession {
  return {
    run: (query) => void connection.prepare(query.sql).run(query.parameters),
    all: <R>(query: BoundQuery) => connection.prepare(query.sql).all(query.parameters) as R[],
    get inTransaction() {
      return connection.inTransaction;
    },
  };
}

/**
 * Runs `work` on the SQLite connection behind `source`, or returns null when `source` is not an
 * SQLite database (PostgreSQL, or a transaction: its statements belong to the transaction).
 *
 * better-sqlite3 runs each statement to completion before returning, so synchronous work never
 * interleaves with another statement. What it must not do is land inside a transaction Kysely
 * has open on the connection while that transaction awaits between statements: then the work
 * waits for Kysely's lock on the connection, as every Kysely query does. Otherwise it runs at
 * once, without the lock's turns of the event loop.
 */
export function onSqliteConnection<T>(
  source: DbSource,
  work: (session: SqliteSession) => T,
): Promise<T> | null {
  const db = dbOf(source);
  const connectionOf = connections.get(db);
  if (!connectionOf) return null;
  const connection = connectionOf();
  if (connection && !connection.inTransaction) {
    try {
      return Promise.resolve(work(sessionOf(connection)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
  // Kysely opens the connection on first use, and hands it over once no transaction holds it.
  return db.connection().execute(async () => work(sessionOf(connectionOf()!)));
}
