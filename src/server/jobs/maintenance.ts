import type { FastifyBaseLogger } from 'fastify';
import type { BackgroundTask } from '../domain/background.js';
import type { Clock } from '../domain/ids.js';
import { dbOf, type DbSource } from '../store/source.js';
import { pruneJobs } from '../store/jobs.js';
import { leasedIntervalTask } from './scheduler.js';

/** How long finished jobs stay in the table: long enough to look into last week's failures. */
export const JOB_RETENTION_MS = 7 * 24 * 60 * 60_000;

const PRUNE_EVERY_MS = 60 * 60_000;

/** Deletes jobs that finished (done or failed) more than `retentionMs` before `now`; returns how many. */
export async function pruneFinishedJobs(
  db: DbSource,
  now: Date,
  retentionMs = JOB_RETENTION_MS,
): Promise<number> {
  return pruneJobs(dbOf(db), new Date(now.getTime() - retentionMs));
}

/**
 * The scheduler that keeps the `jobs` table small: every hour, in the one replica holding the
 * `job-pruning` lease, it deletes finished jobs older than the retention. Every package and
 * every webhook event leaves a job row behind; without this the table only grows.
 */
export function jobPruningTask(db: DbSource, clock: Clock, log: FastifyBaseLogger): BackgroundTask {
  return leasedIntervalTask(
    db,
    'job-pruning',
    PRUNE_EVERY_MS,
    async () => {
      const pruned = await pruneFinishedJobs(db, clock());
      if (pruned > 0) log.info({ pruned }, 'finished jobs pruned');
    },
    (err) => log.warn({ err }, 'pruning finished jobs failed; trying again in an hour'),
    { clock },
  );
}
