import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase as KyselySqlite } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';

/** Where the metadata lives: an SQLite file (the embedded default) or a PostgreSQL database. */
export type DatabaseConfig =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };

/** The service's database handle. */
export type Db = Kysely<Database>;

const PG_INT8 = 20;
// Distinct statements kept prepared per SQLite connection: the service issues a few hundred.
const STATEMENT_CACHE_SIZE = 1000;

/**
 * The SQLite connection as Kysely sees it, with each statement prepared once and reused: preparing
 * costs as much as running a small indexed query, and every request runs the same few texts. A
 * statement still being iterated (a streamed query) is busy, so another is prepared beside it.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqlite {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(sql, statement);
      return statement;
    },
  };
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  const db = new Kysely<Database>({ dialect: createDialect(config) });
  await migrateToLatest(db);
  return db;
}

function createDialect(config: DatabaseConfig): SqliteDialect | PostgresDialect {
  if (config.kind === 'sqlite') {
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    return new SqliteDialect({
      database: async () => {
        const sqlite = new SqliteDatabase(config.file);
        // WAL keeps readers off the writer's back; FULL sync makes a committed row survive power loss.
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma('synchronous = FULL');
        sqlite.pragma('busy_timeout = 5000');
        sqlite.pragma('foreign_keys = ON');
        return withStatementCache(sqlite);
      },
    });
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize ?? 10,
    // Sizes are bigint columns; every one fits a JS number (< 2^53 bytes).
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_INT8
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks (a server restart, a network blip) is already dropped by the
  // pool; without a listener its 'error' event would end the process.
  pool.on('error', () => undefined);
  return new PostgresDialect({ pool });
}

/**
 * Runs every pending migration; throws with the failing migration's name. Replicas starting at
 * once are safe: on PostgreSQL Kysely's migrator holds a session advisory lock
 * (`pg_advisory_lock`) while it runs, so the others wait and then find nothing left to do
 * (test/server/store/migration-lock.test.ts); SQLite serialises writers itself.
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}
