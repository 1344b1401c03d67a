import { newId, systemClock, type Clock } from '../domain/ids.js';
import type { Db } from '../store/db.js';
import { dbOf, type DbSource } from '../store/source.js';
import {
  claimJobs,
  findQueuedJob,
  insertJob,
  pruneJobs,
  renewJobLeases,
  settleJob,
  type JobRow,
} from '../store/jobs.js';
import { newHolderId } from './holder.js';

/** A claimed job. */
export interface Job {
  id: string;
  kind: string;
  payload: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
  maxAttempts: number;
  /** The claim that holds it: completing it checks that this claim still does. */
  lockedBy: string;
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

/** How a queue holds the jobs it claims. */
export interface JobQueueOptions {
  /** How long a claim holds a job without a heartbeat (default 60 s). */
  leaseMs?: number;
  /**
   * How often the leases of running jobs are renewed (default a third of the lease; 0: never,
   * for a caller that renews with {@link JobQueue.heartbeat} itself).
   */
  heartbeatMs?: number;
  /** The time of heartbeats (the other methods take the time as an argument). */
  clock?: Clock;
  /** Names this worker in `jobs.locked_by` (default: host, pid and a random part). */
  workerId?: string;
  /** Called when a heartbeat finds that a running job's lease was taken over by another claim. */
  onLeaseLost?: (job: Job) => void;
  /**
   * Told of the jobs a claim marked failed because their last attempt's worker stopped (see
   * {@link JobQueue.claim}), so that what waited on them can be settled: their handlers never
   * ran to the end. Its errors reach the claim's caller.
   */
  onAbandoned?: (jobs: AbandonedJob[]) => Promise<void>;
}

/** A job marked failed because the worker of its last attempt stopped before finishing it. */
export interface AbandonedJob {
  id: string;
  kind: string;
  payload: unknown;
}

/** The default lease of a claimed job: long enough for a heartbeat or two to be late. */
export const DEFAULT_JOB_LEASE_MS = 60_000;

/**
 * A durable queue on the service's database, shared by every process that opens it. A claim
 * holds its jobs under a lease (`locked_until`) that a heartbeat renews while they run; a worker
 * that dies (a crash, SIGKILL) stops renewing, and once the lease expires the next claim — in
 * any process — takes the job again. Settling a job (done, failed, back in the queue) succeeds
 * only for the claim that still holds it, so a job taken over is not completed twice.
 */
export class JobQueue {
  /** Names this worker's claims (`<workerId>/<n>` in `jobs.locked_by`). */
  readonly workerId: string;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly clock: Clock;
  private readonly onLeaseLost: ((job: Job) => void) | undefined;
  private readonly onAbandoned: ((jobs: AbandonedJob[]) => Promise<void>) | undefined;
  private readonly held = new Map<string, Job>();
  private claims = 0;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<unknown> | null = null;

  private readonly db: Db;

  constructor(source: DbSource, options: JobQueueOptions = {}) {
    this.db = dbOf(source);
    this.leaseMs = options.leaseMs ?? DEFAULT_JOB_LEASE_MS;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(this.leaseMs / 3));
    this.clock = options.clock ?? systemClock;
    this.workerId = options.workerId ?? newHolderId();
    this.onLeaseLost = options.onLeaseLost;
    this.onAbandoned = options.onAbandoned;
  }

  /** Adds a job; returns its id, or the id of the queued job with the same dedupe key. */
  async enqueue(kind: string, payload: unknown, at: Date, options: EnqueueOptions = {}): Promise<string> {
    const job = {
      kind,
      payload: JSON.stringify(payload),
      dedupeKey: options.dedupeKey ?? null,
      maxAttempts: options.maxAttempts ?? 5,
      runAt: options.runAt ?? at,
      now: at,
    };
    // A conflict means a queued job with the key exists; it may be claimed before it is read
    // back, and then this enqueue inserts after all. Each round trip is one of those races lost.
    for (let tries = 0; tries < 5; tries++) {
      const id = await insertJob(this.db, { id: newId(16), ...job });
      if (id) return id;
      const queued = await findQueuedJob(this.db, options.dedupeKey!);
      if (queued) return queued;
    }
    throw new Error(
      `Could not enqueue a ${kind} job with dedupe key ${options.dedupeKey}: it kept changing.`,
    );
  }

  /**
   * Claims the next due job of one of `kinds` (queued, or running with an expired lease), or
   * null. A job whose lease expired on its last attempt is marked failed instead: its worker
   * stopped on every attempt, and another run could stop this one too.
   */
  async claim(kinds: string[], at: Date): Promise<Job | null> {
    const [job] = await this.claimMany(kinds, at, 1);
    return job ?? null;
  }

  /**
   * Claims up to `limit` due jobs of `kinds` at once (see {@link claim}). The jobs it marks
   * failed go to `onAbandoned` afterwards; when that fails, the jobs just claimed are put back
   * (their attempt not counted) and the error reaches the caller.
   */
  async claimMany(kinds: string[], at: Date, limit: number): Promise<Job[]> {
    const lockedBy = `${this.workerId}/${++this.claims}`;
    const { abandoned, claimed } = await claimJobs(this.db, {
      kinds,
      now: at,
      lockedBy,
      lockedUntil: new Date(at.getTime() + this.leaseMs),
      limit,
    });
    const jobs = claimed.map((row) => toJob(row, lockedBy));
    for (const job of jobs) this.hold(job);
    if (abandoned.length > 0 && this.onAbandoned) {
      try {
        await this.onAbandoned(
          abandoned.map((row) => ({
            id: row.id,
            kind: row.kind,
            payload: JSON.parse(row.payload) as unknown,
          })),
        );
      } catch (err) {
        for (const job of jobs) await this.release(job, at).catch(() => undefined);
        throw err;
      }
    }
    return jobs;
  }

  /**
   * Renews the leases of the jobs this queue holds, until `at + lease`. Jobs whose lease another
   * claim took over in the meantime are dropped (and reported to `onLeaseLost`). Returns them.
   */
  async heartbeat(at: Date = this.clock()): Promise<Job[]> {
    const claims = [...this.held.values()];
    if (claims.length === 0) return [];
    const renewed = new Set(
      (await renewJobLeases(this.db, claims, new Date(at.getTime() + this.leaseMs))).map(key),
    );
    const lost = claims.filter((job) => !renewed.has(key(job)) && this.held.get(key(job)) === job);
    for (const job of lost) {
      this.forget(job);
      this.onLeaseLost?.(job);
    }
    return lost;
  }

  /** Marks a claimed job done; false (and nothing changes) when its claim no longer holds it. */
  async complete(job: Job, at: Date): Promise<boolean> {
    this.forget(job);
    return settleJob(this.db, job.id, job.lockedBy, { status: 'done' }, at);
  }

  /**
   * Records a failed attempt: the job runs again at `retryAt`, or is marked failed when it has
   * used its attempts (or `retryAt` is null). 'lost' when its claim no longer holds it.
   */
  async fail(job: Job, error: string, at: Date, retryAt: Date | null): Promise<'retry' | 'failed' | 'lost'> {
    this.forget(job);
    const final = retryAt === null || job.attempts >= job.maxAttempts;
    const settled = await settleJob(
      this.db,
      job.id,
      job.lockedBy,
      final ? { status: 'failed', error } : { status: 'queued', runAt: retryAt, error },
      at,
    );
    if (!settled) return 'lost';
    return final ? 'failed' : 'retry';
  }

  /**
   * Puts a claimed job back without counting its attempt (it was interrupted or deferred, not
   * failed), to run again from `runAt`. False when its claim no longer holds it.
   */
  async release(job: Job, at: Date, runAt: Date = at): Promise<boolean> {
    this.forget(job);
    return settleJob(this.db, job.id, job.lockedBy, { status: 'queued', runAt, attemptsDelta: -1 }, at);
  }

  /** Deletes finished jobs older than `before` so the table stays small. */
  async prune(before: Date): Promise<number> {
    return pruneJobs(this.db, before);
  }

  /** The jobs this queue holds right now. */
  heldJobs(): Job[] {
    return [...this.held.values()];
  }

  /**
   * Stops heartbeats and forgets the held jobs: their leases run out and another claim takes
   * them. For a worker that stops without settling what it holds.
   */
  async close(): Promise<void> {
    this.held.clear();
    this.stopTimer();
    await this.beating;
  }

  private hold(job: Job): void {
    this.held.set(key(job), job);
    if (this.heartbeatMs > 0 && !this.timer) {
      this.timer = setInterval(() => this.beat(), this.heartbeatMs);
      // Heartbeats matter only while something else keeps the process running.
      this.timer.unref();
    }
  }

  private forget(job: Job): void {
    this.held.delete(key(job));
    if (this.held.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private beat(): void {
    if (this.beating) return;
    // A failed heartbeat (the database away for a moment) is retried at the next tick; if they
    // keep failing the lease expires and another worker takes the job, which is the point.
    this.beating = this.heartbeat()
      .catch(() => undefined)
      .finally(() => (this.beating = null));
  }
}

function key(job: { id: string; lockedBy: string }): string {
  return `${job.id} ${job.lockedBy}`;
}

function toJob(row: JobRow, lockedBy: string): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lockedBy,
  };
}
