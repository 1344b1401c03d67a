import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.js';
import type { Database } from '../store/schema.js';

/** A job as the queue stores it. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
}

/** What to enqueue. */
export interface EnqueueOptions {
  /** When set, a job with the same key that is still queued absorbs this one. */
  dedupeKey?: string;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
  /** Earliest time to run (default now). */
  runAt?: Date;
}

/**
 * A durable queue on the service's database. Jobs are claimed with a lease: a worker that dies
 * (a crash, SIGKILL) leaves a running job whose lease expires, and the next claim takes it again.
 */
export class JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly leaseMs = 5 * 60_000,
  ) {}

  /** Adds a job; returns its id, or the id of the queued job with the same dedupe key. */
  async enqueue(kind: string, payload: unknown, at: Date, options: EnqueueOptions = {}): Promise<string> {
    const now = at.toISOString();
    if (options.dedupeKey) {
      const existing = await this.db
        .selectFrom('jobs')
        .select('id')
        .where('dedupe_key', '=', options.dedupeKey)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (existing) return existing.id;
    }
    const id = newId(16);
    try {
      await this.db
        .insertInto('jobs')
        .values({
          id,
          kind,
          payload: JSON.stringify(payload),
          dedupe_key: options.dedupeKey ?? null,
          status: 'queued',
          attempts: 0,
          max_attempts: options.maxAttempts ?? 5,
          run_at: (options.runAt ?? at).toISOString(),
          locked_until: null,
          last_error: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return id;
    } catch (err) {
      // Lost a race with another enqueue of the same key: theirs stands for both.
      if (options.dedupeKey) {
        const other = await this.db
          .selectFrom('jobs')
          .select('id')
          .where('dedupe_key', '=', options.dedupeKey)
          .where('status', '=', 'queued')
          .executeTakeFirst();
        if (other) return other.id;
      }
      throw err;
    }
  }

  /** Claims the next due job of one of `kinds` (queued, or running with an expired lease), or null. */
  async claim(kinds: string[], at: Date): Promise<Job | null> {
    const now = at.toISOString();
    for (let tries = 0; tries < 5; tries++) {
      const candidate = await this.db
        .selectFrom('jobs')
        .selectAll()
        .where('kind', 'in', kinds)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
            eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
          ]),
        )
        .orderBy('run_at')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return null;
      const lockedUntil = new Date(at.getTime() + this.leaseMs).toISOString();
      const result = await this.db
        .updateTable('jobs')
        .set({
          status: 'running',
          locked_until: lockedUntil,
          attempts: candidate.attempts + 1,
          updated_at: now,
        })
        .where('id', '=', candidate.id)
        .where('status', '=', candidate.status)
        .where('attempts', '=', candidate.attempts)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) {
        return {
          id: candidate.id,
          kind: candidate.kind,
          payload: JSON.parse(candidate.payload) as unknown,
          attempts: candidate.attempts + 1,
          maxAttempts: candidate.max_attempts,
        };
      }
    }
    return null;
  }

  /** Marks a claimed job done. */
  async complete(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'done', locked_until: null, updated_at: at.toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Records a failed attempt: the job runs again at `retryAt`, or is marked failed when it has
   * used its attempts (or `retryAt` is null).
   */
  async fail(job: Job, error: string, at: Date, retryAt: Date | null): Promise<'retry' | 'failed'> {
    const final = retryAt === null || job.attempts >= job.maxAttempts;
    await this.db
      .updateTable('jobs')
      .set({
        status: final ? 'failed' : 'queued',
        run_at: final ? at.toISOString() : retryAt.toISOString(),
        locked_until: null,
        last_error: error.slice(0, 2000),
        updated_at: at.toISOString(),
      })
      .where('id', '=', job.id)
      .execute();
    return final ? 'failed' : 'retry';
  }

  /**
   * Puts a claimed job back without counting its attempt (it was interrupted or deferred, not
   * failed), to run again from `runAt`.
   */
  async release(job: Job, at: Date, runAt: Date = at): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        status: 'queued',
        attempts: Math.max(0, job.attempts - 1),
        run_at: runAt.toISOString(),
        locked_until: null,
        updated_at: at.toISOString(),
      })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .execute();
  }

  /** Deletes finished jobs older than `before` so the table stays small. */
  async prune(before: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('jobs')
      .where('status', 'in', ['done', 'failed'])
      .where('updated_at', '<', before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
