import { sql, type CompiledQuery, type ExpressionBuilder } from 'kysely';
import type { Db } from './db.js';
import { inSqliteGroupCommit } from './group-commit.js';
import type { Database, JobsTable } from './schema.js';
import { isPostgres } from './source.js';

/** A job row as the queue reads it. */
export type JobRow = Pick<
  JobsTable,
  'id' | 'kind' | 'payload' | 'status' | 'attempts' | 'max_attempts' | 'locked_by' | 'last_error'
>;

/** A new job's row. */
export interface NewJob {
  id: string;
  kind: string;
  /** JSON text. */
  payload: string;
  dedupeKey: string | null;
  maxAttempts: number;
  runAt: Date;
  now: Date;
}

const JOB_COLUMNS = [
  'id',
  'kind',
  'payload',
  'status',
  'attempts',
  'max_attempts',
  'locked_by',
  'last_error',
] as const;

/** A write with RETURNING, as Kysely builds it: run through Kysely or compiled for a session. */
interface ReturningWrite<R> {
  compile(): CompiledQuery<R>;
  execute(): Promise<R[]>;
}

/**
 * Runs one of the queue's own writes (a claim, a settlement, a lease renewed) as a group commit on
 * SQLite (see group-commit.ts): it survives a crash of the service once this resolves, and one of
 * the machine after the shared log sync, without a sync of the log on the event loop. Losing the
 * last moment's queue writes with the machine is safe: a lost claim leaves its job queued (the
 * worker that claimed it is gone too), a lost settlement runs its job once more, and a lost
 * renewal lets the lease run out sooner. Elsewhere (PostgreSQL, inside a transaction, a database
 * without group commits) the statement runs as it is.
 */
function queueWrite<R>(db: Db, build: (db: Db) => ReturningWrite<R>): Promise<R[]> {
  return inSqliteGroupCommit(db, (session) => session.all<R>(build(db).compile())) ?? build(db).execute();
}

/**
 * Inserts a job. With a dedupe key, a queued job with the same key wins: nothing is inserted and
 * null comes back. The partial unique index `jobs_dedupe_queued` decides, so two processes
 * enqueueing the same key at the same moment cannot both insert.
 */
export async function insertJob(db: Db, job: NewJob): Promise<string | null> {
  const now = job.now.toISOString();
  const row = await db
    .insertInto('jobs')
    .values({
      id: job.id,
      kind: job.kind,
      payload: job.payload,
      dedupe_key: job.dedupeKey,
      status: 'queued',
      attempts: 0,
      max_attempts: job.maxAttempts,
      run_at: job.runAt.toISOString(),
      locked_until: null,
      locked_by: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    // The conflict target names the partial index's predicate as a literal: PostgreSQL only
    // infers a partial unique index from a predicate it can prove at planning time.
    .onConflict((oc) => oc.column('dedupe_key').where(sql.ref('status'), '=', sql.lit('queued')).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** The id of the queued job with `dedupeKey`, if there is one. */
export async function findQueuedJob(db: Db, dedupeKey: string): Promise<string | null> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('dedupe_key', '=', dedupeKey)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** What a claim takes: jobs of `kinds`, at most `limit`, for `lockedBy` until `lockedUntil`. */
export interface JobClaim {
  kinds: string[];
  now: Date;
  lockedBy: string;
  lockedUntil: Date;
  limit: number;
}

/** A job marked failed because the worker of its last attempt stopped (see {@link claimJobs}). */
export type AbandonedJobRow = Pick<JobRow, 'id' | 'kind' | 'payload'>;

/** What one claim did: the jobs it marked failed as abandoned, and the jobs it took. */
export interface ClaimResult {
  abandoned: AbandonedJobRow[];
  claimed: JobRow[];
}

/**
 * One claim, as one group commit on SQLite (see {@link queueWrite}):
 *
 * - the running jobs of `kinds` whose lease expired on their last attempt are marked failed: the
 *   worker running them stopped (crashed, was killed) every time, and running such a job again
 *   could take down replica after replica;
 * - up to `limit` due jobs (queued and due, or running with an expired lease and attempts left)
 *   are taken for `lockedBy` until `lockedUntil`, counting an attempt on each, in one statement.
 *   On PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so claimants in other
 *   processes pass over rows being claimed instead of waiting for them or taking them too; SQLite
 *   runs one writer at a time, so the same statement needs no row locks there.
 */
export async function claimJobs(db: Db, claim: JobClaim): Promise<ClaimResult> {
  // Workers poll: a claim that would change nothing reads, and leaves the log alone.
  if (!(await claimableJobExists(db, claim))) return { abandoned: [], claimed: [] };
  const direct = inSqliteGroupCommit(db, (session) => ({
    abandoned: session.all<AbandonedJobRow>(abandonedJobsUpdate(db, claim).compile()),
    claimed: session.all<JobRow>(claimUpdate(db, claim).compile()),
  }));
  if (direct) return direct;
  return {
    abandoned: await abandonedJobsUpdate(db, claim).execute(),
    claimed: await claimUpdate(db, claim).execute(),
  };
}

/**
 * The jobs of `kinds` a claim at `now` acts on: queued and due, or running with an expired lease
 * (only those with attempts left, when `attemptsLeft`: the others are marked failed instead). The
 * two statuses are spelled out so that the index on (kind, status, run_at) passes over finished
 * jobs, which outnumber the others until they are pruned.
 */
function claimable(kinds: string[], now: string, attemptsLeft: boolean) {
  return (w: ExpressionBuilder<Database, 'jobs'>) =>
    w.and([
      w('kind', 'in', kinds),
      w('status', 'in', ['queued', 'running']),
      w.or([
        w.and([w('status', '=', 'queued'), w('run_at', '<=', now)]),
        w.and([
          w('status', '=', 'running'),
          w('locked_until', '<', now),
          ...(attemptsLeft ? [w('attempts', '<', w.ref('max_attempts'))] : []),
        ]),
      ]),
    ]);
}

/** Whether a claim at `claim.now` has anything to do: to take, or to mark failed. */
async function claimableJobExists(db: Db, claim: Pick<JobClaim, 'kinds' | 'now'>): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where(claimable(claim.kinds, claim.now.toISOString(), false))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function claimUpdate(db: Db, claim: JobClaim) {
  const now = claim.now.toISOString();
  const pg = isPostgres(db);
  return db
    .updateTable('jobs')
    .set((eb) => ({
      status: 'running',
      locked_by: claim.lockedBy,
      locked_until: claim.lockedUntil.toISOString(),
      attempts: eb('attempts', '+', 1),
      updated_at: now,
    }))
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where(claimable(claim.kinds, now, true))
        .orderBy('run_at')
        .limit(claim.limit)
        .$if(pg, (q) => q.forUpdate().skipLocked()),
    )
    .returning(JOB_COLUMNS);
}

function abandonedJobsUpdate(db: Db, claim: Pick<JobClaim, 'kinds' | 'now'>) {
  const now = claim.now.toISOString();
  return db
    .updateTable('jobs')
    .set({
      status: 'failed',
      locked_until: null,
      last_error: 'The worker running its last attempt stopped before finishing it (its lease expired).',
      updated_at: now,
    })
    .where('kind', 'in', claim.kinds)
    .where('status', '=', 'running')
    .where('locked_until', '<', now)
    .where((eb) => eb('attempts', '>=', eb.ref('max_attempts')))
    .returning(['id', 'kind', 'payload']);
}

/**
 * Extends the leases of running jobs still held by one of `claims` to `lockedUntil`. Returns the
 * claims renewed; a claim missing from them lost its job (the lease had expired and another
 * claim took it over) or the job finished.
 */
export async function renewJobLeases(
  db: Db,
  claims: { id: string; lockedBy: string }[],
  lockedUntil: Date,
): Promise<{ id: string; lockedBy: string }[]> {
  if (claims.length === 0) return [];
  const rows = await queueWrite(db, (db) =>
    db
      .updateTable('jobs')
      .set({ locked_until: lockedUntil.toISOString() })
      .where('status', '=', 'running')
      .where('id', 'in', [...new Set(claims.map((c) => c.id))])
      .where('locked_by', 'in', [...new Set(claims.map((c) => c.lockedBy))])
      .returning(['id', 'locked_by']),
  );
  return rows.map((r) => ({ id: r.id, lockedBy: r.locked_by ?? '' }));
}

/** What becomes of a claimed job. */
export type JobOutcome =
  | { status: 'done' }
  | { status: 'failed'; error: string }
  | { status: 'queued'; runAt: Date; error?: string; attemptsDelta?: number };

/**
 * Settles a claimed job — done, failed, or back in the queue — only while `lockedBy` still holds
 * it (a finished job keeps it in `locked_by`, the record of who ran it). Returns false when it does not (the lease expired and another claim took the job over):
 * then nothing changes, so a job is never completed twice.
 */
export async function settleJob(
  db: Db,
  id: string,
  lockedBy: string,
  outcome: JobOutcome,
  now: Date,
): Promise<boolean> {
  const nowIso = now.toISOString();
  const settled = await queueWrite(db, (db) =>
    db
      .updateTable('jobs')
      .set((eb) => {
        // A finished job keeps `locked_by`: which worker (which replica) ran it to the end.
        const released = { locked_until: null, updated_at: nowIso };
        if (outcome.status === 'done') return { ...released, status: 'done' as const };
        if (outcome.status === 'failed')
          return { ...released, status: 'failed' as const, last_error: outcome.error.slice(0, 2000) };
        return {
          ...released,
          locked_by: null,
          status: 'queued' as const,
          run_at: outcome.runAt.toISOString(),
          ...(outcome.error === undefined ? {} : { last_error: outcome.error.slice(0, 2000) }),
          ...(outcome.attemptsDelta ? { attempts: eb('attempts', '+', outcome.attemptsDelta) } : {}),
        };
      })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('locked_by', '=', lockedBy)
      .returning('id'),
  );
  return settled.length === 1;
}

/** Deletes finished jobs last changed before `before`; returns how many. */
export async function pruneJobs(db: Db, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('status', 'in', ['done', 'failed'])
    .where('updated_at', '<', before.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many jobs of each kind and status there are (the queue's backlog, for operators). */
export async function countJobs(db: Db): Promise<{ kind: string; status: string; count: number }[]> {
  const rows = await db
    .selectFrom('jobs')
    .select(['kind', 'status', (eb) => eb.fn.countAll<number | string>().as('count')])
    .groupBy(['kind', 'status'])
    .execute();
  return rows.map((r) => ({ kind: r.kind, status: r.status, count: Number(r.count) }));
}
