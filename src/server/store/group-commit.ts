/**
 * Group commit for small, frequent writes (the OIDC exchange and its audit event): the commit
 * returns once the rows are in the operating system's hands — a crash or SIGKILL of the service
 * right after cannot lose them — and the log reaches the disk shortly after, one sync for every
 * commit of that moment, without holding up the event loop.
 */

import { sql } from 'kysely';
import { BACKSTOP_CHECKPOINT_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Db } from './db.js';
import { hasSqliteConnection, onSqliteConnection, type SqliteSession } from './sqlite-session.js';
import { dbOf, inTransaction, isPostgres, type DbSource } from './source.js';
import { WalSync } from './wal-sync.js';

/**
 * Longest time a group commit waits for the disk: a crash of the whole machine (power, kernel)
 * may lose the commits of at most this window (plus the sync itself); a crash of the service
 * loses none. PostgreSQL's own bound (`wal_writer_delay`, 200 ms by default, up to three times
 * that) applies there.
 */
export const GROUP_SYNC_DELAY_MS = 20;

/** The `synchronous` setting every SQLite connection runs with outside group commits. */
export const SQLITE_SYNCHRONOUS = 'full';

/**
 * The background work behind group commits of one SQLite database: the log sync, and a thread
 * that checkpoints the log into the database (started with the first group commit, so that
 * databases that never see one — commands, most tests — never start it).
 */
export class SqliteGroupCommits {
  /** Syncs the write-ahead log shortly after group commits. */
  readonly wal: WalSync;
  private checkpointer: Checkpointer | null = null;
  private closed = false;

  constructor(private readonly file: string) {
    this.wal = new WalSync(`${file}-wal`, GROUP_SYNC_DELAY_MS);
  }

  /** True once the checkpoint thread runs. */
  get checkpointing(): boolean {
    return this.checkpointer !== null;
  }

  /** Starts the checkpoint thread (once; never after {@link stop}). */
  startCheckpointing(): void {
    if (this.checkpointer || this.closed) return;
    this.checkpointer = startCheckpointer(this.file, (message) =>
      // The store has no logger; a warning reaches the service's standard error.
      process.emitWarning(`SQLite background checkpoint failed: ${message}`, 'AirlockStoreWarning'),
    );
  }

  /** Stops the checkpoint thread before the database's own connection closes. */
  stop(): void {
    this.closed = true;
    this.checkpointer?.stop();
  }
}

const sqliteGroupCommits = new WeakMap<Db, SqliteGroupCommits>();

// Checkpoints sync twice each: once group commits start, a thread of their own runs them, and the
// service's connection only as a backstop when the log grows far past SQLite's usual size.
const BACKSTOP_CHECKPOINTS = {
  sql: `pragma wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`,
  parameters: [],
};
const RELAXED = { sql: 'pragma synchronous = normal', parameters: [] };
const RESTORED = { sql: `pragma synchronous = ${SQLITE_SYNCHRONOUS}`, parameters: [] };
const BEGIN = { sql: 'begin', parameters: [] };
const COMMIT = { sql: 'commit', parameters: [] };
const ROLLBACK = { sql: 'rollback', parameters: [] };

/** Makes group commits of an SQLite database use `commits` (db.ts calls this when it opens one). */
export function enableGroupCommit(db: Db, commits: SqliteGroupCommits): void {
  sqliteGroupCommits.set(db, commits);
}

/**
 * Runs `work` in one transaction, committed as a group commit: when this returns, the rows
 * survive a crash of this process, and a sync of the log within {@link GROUP_SYNC_DELAY_MS}
 * (or any fully synced commit after it, which syncs the whole log) makes them survive a crash
 * of the machine. SQLite commits with `synchronous = normal` and syncs the log itself on the
 * thread pool; PostgreSQL commits with `synchronous_commit = off`. After a failed sync,
 * SQLite commits sync again until one succeeds, so a failing disk surfaces as an error.
 */
export async function inGroupCommit<T>(source: DbSource, work: (trx: Db) => Promise<T>): Promise<T> {
  const db = dbOf(source);
  if (isPostgres(db)) {
    return inTransaction(db, async (trx) => {
      await sql`set local synchronous_commit = off`.execute(trx);
      return work(trx);
    });
  }
  const commits = sqliteGroupCommits.get(db);
  if (!commits || commits.wal.unhealthy) return inTransaction(db, work);
  const result = await db.connection().execute(async (conn) => {
    if (!commits.checkpointing) {
      await sql.raw(BACKSTOP_CHECKPOINTS.sql).execute(conn);
      commits.startCheckpointing();
    }
    // One connection, held throughout: no other transaction can commit with the relaxed setting.
    await sql`pragma synchronous = normal`.execute(conn);
    try {
      return await conn.transaction().execute(work);
    } finally {
      await sql.raw(`pragma synchronous = ${SQLITE_SYNCHRONOUS}`).execute(conn);
    }
  });
  commits.wal.schedule();
  return result;
}

/** One caller's work waiting in a batch of {@link inSqliteGroupCommit}. */
interface BatchedWork {
  work: (session: SqliteSession) => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** The work waiting for the next batch commit of each database. */
const batches = new WeakMap<Db, BatchedWork[]>();

const SAVEPOINT = { sql: 'savepoint batched_work', parameters: [] };
const RELEASE = { sql: 'release batched_work', parameters: [] };
const ROLLBACK_TO = { sql: 'rollback to batched_work', parameters: [] };

/**
 * {@link inGroupCommit} for synchronous work on SQLite: `work` runs its statements between BEGIN
 * and COMMIT in one turn of the event loop, with the same durability (the rows survive a crash
 * of the process once this resolves, and of the machine after the shared log sync). For small
 * writes on hot paths (the token exchange), where Kysely's executor around each statement cost
 * more than the statements. Returns null when `source` is not an SQLite database with healthy
 * group commits; the caller then uses {@link inGroupCommit}.
 *
 * Calls made in the same turn of the event loop (requests that arrived together) share one
 * transaction, committed right after that turn: one commit writes their pages to the log once.
 * Each caller's work runs under a savepoint of its own, so a failing one is rolled back alone
 * and only its caller sees the error.
 */
export function inSqliteGroupCommit<T>(
  source: DbSource,
  work: (session: SqliteSession) => T,
): Promise<T> | null {
  const db = dbOf(source);
  const commits = sqliteGroupCommits.get(db);
  if (!commits || commits.wal.unhealthy || !hasSqliteConnection(db)) return null;
  return new Promise<T>((resolve, reject) => {
    let batch = batches.get(db);
    if (!batch) {
      batches.set(db, (batch = []));
      setImmediate(() => commitBatch(db, commits));
    }
    batch.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** Commits the database's waiting batch as one group commit and answers each of its callers. */
function commitBatch(db: Db, commits: SqliteGroupCommits): void {
  const batch = batches.get(db) ?? [];
  batches.delete(db);
  const shared = batch.length > 1;
  const committed = onSqliteConnection(db, (session): Outcome[] => {
    if (!commits.checkpointing) {
      session.run(BACKSTOP_CHECKPOINTS);
      commits.startCheckpointing();
    }
    session.run(RELAXED);
    try {
      session.run(BEGIN);
      try {
        const outcomes = batch.map((item): Outcome => {
          if (!shared) return { ok: true, value: item.work(session) };
          session.run(SAVEPOINT);
          try {
            const value = item.work(session);
            session.run(RELEASE);
            return { ok: true, value };
          } catch (err) {
            // An error that ended the whole transaction (a full disk) fails the batch below.
            if (!session.inTransaction) throw err;
            session.run(ROLLBACK_TO);
            session.run(RELEASE);
            return { ok: false, err };
          }
        });
        session.run(COMMIT);
        return outcomes;
      } catch (err) {
        // A failed statement or COMMIT can leave the transaction open; it must not outlive this turn.
        if (session.inTransaction) session.run(ROLLBACK);
        throw err;
      }
    } finally {
      session.run(RESTORED);
    }
  })!;
  committed.then(
    (outcomes) => {
      commits.wal.schedule();
      outcomes.forEach((outcome, i) =>
        outcome.ok ? batch[i]!.resolve(outcome.value) : batch[i]!.reject(outcome.err),
      );
    },
    (err: unknown) => {
      for (const item of batch) item.reject(err);
    },
  );
}
