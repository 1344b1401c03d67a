import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { enableGroupCommit, SqliteGroupCommits, SQLITE_SYNCHRONOUS } from './group-commit.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { registerSqliteConnection, type SqliteConnection } from './sqlite-session.js';
import { cachingStatements } from './statement-cache.js';

/** Where the metadata lives: an SQLite file (the embedded default) or a PostgreSQL database. */
export type DatabaseConfig =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };

/** The service's database handle. */
export type Db = Kysely<Database>;

const PG_INT8 = 20;

/** Opens the database and brings its schema up to date. */
export async function openDatabase(config: DatabaseConfig): Promise<Db> {
  const commits = config.kind === 'sqlite' ? new SqliteGroupCommits(config.file) : null;
  const opened: { connection: SqliteConnection | null } = { connection: null };
  const db = new Kysely<Database>({ dialect: await createDialect(config, commits, opened) });
  if (commits) {
    enableGroupCommit(db, commits);
    registerSqliteConnection(db, () => opened.connection);
  }
  await migrateToLatest(db);
  return db;
}

// Each driver is loaded only by a service that uses it: a deployment carries one of them.
async function createDialect(
  config: DatabaseConfig,
  commits: SqliteGroupCommits | null,
  opened: { connection: SqliteConnection | null },
): Promise<SqliteDialect | PostgresDialect> {
  if (config.kind === 'sqlite') {
    const { default: SqliteDatabase } = await import('better-sqlite3');
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    return new SqliteDialect({
      database: async () => {
        const sqlite = new SqliteDatabase(config.file);
        // WAL keeps readers off the writer's back; FULL sync makes a committed row survive power
        // loss (group commits relax it for their own transaction and sync the log themselves).
        sqlite.pragma('journal_mode = WAL');
        sqlite.pragma(`synchronous = ${SQLITE_SYNCHRONOUS}`);
        sqlite.pragma('busy_timeout = 5000');
        sqlite.pragma('foreign_keys = ON');
        opened.connection = cachingStatements(sqlite, () => commits?.stop());
        return opened.connection;
      },
    });
  }
  const { default: pg } = await import('pg');
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
