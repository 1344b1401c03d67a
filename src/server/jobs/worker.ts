import type { FastifyBaseLogger } from 'fastify';
import { intervalTask, type BackgroundTask } from '../domain/background.js';
import type { Clock } from '../domain/ids.js';
import type { Job, JobQueue } from './queue.js';

/** Runs one job; throwing records a failed attempt. */
export type JobHandler = (job: Job) => Promise<void>;

/** Delay before attempt `n + 1` after `n` failed attempts. */
export type RetrySchedule = (attempts: number) => number;

/**
 * A worker for some job kinds: polls the queue, runs due jobs one at a time, retries on failure.
 * `stop()` stops claiming and puts back a job that does not finish within the grace period.
 */
export interface JobWorker extends BackgroundTask {
  /** Wakes the worker now (call after enqueueing). */
  kick(): void;
  /** Runs every due job until none is left (tests and tools call this directly). */
  drain(): Promise<number>;
}

/** Creates a worker over `queue` for the handlers' kinds. */
export function createJobWorker(options: {
  name: string;
  queue: JobQueue;
  handlers: Record<string, JobHandler>;
  clock: Clock;
  log: FastifyBaseLogger;
  retryDelayMs: RetrySchedule;
  pollMs?: number;
  /** How long `stop()` waits for the running job before putting it back (default 5 s). */
  stopGraceMs?: number;
}): JobWorker {
  const kinds = Object.keys(options.handlers);
  let stopping = false;
  let current: Job | null = null;
  const runOne = async (): Promise<boolean> => {
    const job = await options.queue.claim(kinds, options.clock());
    if (!job) return false;
    current = job;
    try {
      await options.handlers[job.kind]!(job);
      if (!(await options.queue.complete(job, options.clock())))
        options.log.warn(
          { job: job.id, kind: job.kind, attempt: job.attempts },
          'job finished after its lease was taken over; another worker runs it again',
        );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const now = options.clock();
      const outcome = await options.queue.fail(
        job,
        message,
        now,
        new Date(now.getTime() + options.retryDelayMs(job.attempts)),
      );
      options.log.warn(
        { job: job.id, kind: job.kind, attempt: job.attempts, outcome, error: message },
        'job failed',
      );
    } finally {
      current = null;
    }
    return true;
  };
  const drain = async (): Promise<number> => {
    let n = 0;
    while (!stopping && (await runOne())) n++;
    return n;
  };
  const task = intervalTask(
    options.name,
    options.pollMs ?? 1000,
    async () => {
      await drain();
    },
    (err) => options.log.error({ err }, `${options.name} failed`),
    options.stopGraceMs,
  );
  return {
    ...task,
    drain,
    start() {
      stopping = false;
      task.start();
    },
    /**
     * Stops claiming, waits (bounded) for the running job, and puts a job still running after
     * that back in the queue without counting its attempt, so that another replica runs it now
     * rather than after its lease; the abandoned run's late result is then refused.
     */
    async stop() {
      stopping = true;
      await task.stop();
      const unfinished: Job | null = current;
      if (!unfinished) return;
      await options.queue.release(unfinished, options.clock()).then(
        (released) => {
          if (released)
            options.log.info(
              { job: unfinished.id, kind: unfinished.kind },
              'job interrupted; put back in the queue',
            );
        },
        (err: unknown) =>
          options.log.warn({ err, job: unfinished.id }, `${options.name}: putting a job back failed`),
      );
    },
  };
}
