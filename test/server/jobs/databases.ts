import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type DatabaseConfig, type Db } from '../../../src/server/store/db.js';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/server.js';

/**
 * One database that several "replicas" open: each `open()` is a separate Kysely handle with its
 * own connections (its own pool on PostgreSQL, its own SQLite connection), as separate processes
 * would have. `config` is what a child process needs to open it too.
 */
export interface SharedDatabase {
  config: DatabaseConfig;
  open(): Promise<Db>;
  /** Empties the queue's and the leases' tables between tests. */
  reset(): Promise<void>;
  /** Closes every handle opened and removes the database. */
  stop(): Promise<void>;
}

/** Starts a fresh SQLite file or a throwaway PostgreSQL cluster for queue tests. */
export async function startSharedDatabase(kind: 'sqlite' | 'postgres'): Promise<SharedDatabase> {
  let pg: TestPostgres | null = null;
  let dir: string | null = null;
  let config: DatabaseConfig;
  if (kind === 'postgres') {
    pg = await startPostgres();
    config = { kind: 'postgres', url: pg.url, poolSize: 8 };
  } else {
    dir = tempDir('airlock-queue-');
    config = { kind: 'sqlite', file: path.join(dir, 'airlock.db') };
  }
  const handles: Db[] = [];
  const open = async (): Promise<Db> => {
    const db = await openDatabase(config);
    handles.push(db);
    return db;
  };
  const first = await open();
  return {
    config,
    open,
    async reset() {
      await sql`delete from jobs`.execute(first);
      await sql`delete from leases`.execute(first);
    },
    async stop() {
      for (const db of handles.splice(0)) await db.destroy();
      pg?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
