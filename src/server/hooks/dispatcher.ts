import type { FastifyBaseLogger } from 'fastify';
import { intervalTask, settleWithin, type BackgroundTask } from '../domain/background.js';
import type { Clock } from '../domain/ids.js';
import type { Job, JobQueue } from '../jobs/queue.js';
import type { RetrySchedule } from '../jobs/worker.js';

/** A failure retrying cannot fix (a refused target): the job fails at once. */
export class FinalFailure extends Error {
  override name = 'FinalFailure';
}

/** The job stopped because its signal aborted (shutdown): it is put back, its attempt not counted. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** How a dispatcher runs its jobs. */
export interface DispatcherOptions {
  name: string;
  queue: JobQueue;
  kind: string;
  clock: Clock;
  log: FastifyBaseLogger;
  /** Runs one job; throws to fail the attempt ({@link FinalFailure}: no retry; {@link Interrupted}: put back). */
  run(job: Job, signal: AbortSignal): Promise<void>;
  /** The key jobs are limited by (a receiver's host:port). */
  targetOf(job: Job): Promise<string>;
  retryDelayMs: RetrySchedule;
  /** Jobs in flight at once. */
  maxConcurrent: number;
  /** Jobs in flight at once for one target. */
  maxPerTarget: number;
  pollMs: number;
  /** How long a job whose target is busy waits before it is claimed again (default 1 s). */
  deferMs?: number;
  /** How long `stop()` waits for aborted jobs to be put back (default 5 s). */
  stopGraceMs?: number;
}

/** Runs queued jobs concurrently under a global and a per-target limit. */
export interface Dispatcher extends BackgroundTask {
  /** Looks for due jobs now (call after enqueueing). */
  kick(): void;
  /** Jobs in flight right now. */
  inFlight(): number;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Creates a dispatcher: it claims due jobs while fewer than `maxConcurrent` run, starts each one
 * without waiting for it, and puts back (for a little later) a job whose target already has
 * `maxPerTarget` in flight — so a slow target holds at most its own slots and delays no other.
 * `stop()` stops claiming, aborts every job in flight and waits a bounded time for them to be
 * put back in the queue, where the next start (or another replica) picks them up.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const running = new Map<string, Running>();
  const perTarget = new Map<string, number>();
  const deferMs = options.deferMs ?? 1000;
  let stopped = true;

  const start = (job: Job, target: string): void => {
    const controller = new AbortController();
    perTarget.set(target, (perTarget.get(target) ?? 0) + 1);
    const done = (async () => {
      try {
        await options.run(job, controller.signal);
        await options.queue.complete(job, options.clock());
      } catch (err) {
        await settle(job, err);
      }
    })()
      .catch((err: unknown) =>
        options.log.error({ err, job: job.id }, `${options.name}: recording a job failed`),
      )
      .finally(() => {
        running.delete(job.id);
        const left = (perTarget.get(target) ?? 1) - 1;
        if (left > 0) perTarget.set(target, left);
        else perTarget.delete(target);
        if (!stopped) poll.kick();
      });
    running.set(job.id, { controller, done });
  };

  const settle = async (job: Job, err: unknown): Promise<void> => {
    const now = options.clock();
    if (err instanceof Interrupted) {
      await options.queue.release(job, now);
      options.log.info({ job: job.id, kind: job.kind }, 'job interrupted; put back in the queue');
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    const retryAt =
      err instanceof FinalFailure ? null : new Date(now.getTime() + options.retryDelayMs(job.attempts));
    const outcome = await options.queue.fail(job, message, now, retryAt);
    options.log.warn(
      { job: job.id, kind: job.kind, attempt: job.attempts, outcome, error: message },
      'job failed',
    );
  };

  const fill = async (): Promise<void> => {
    let deferred = 0;
    while (!stopped && running.size < options.maxConcurrent) {
      const job = await options.queue.claim([options.kind], options.clock());
      if (!job) return;
      const target = await options.targetOf(job).catch(() => '');
      if ((perTarget.get(target) ?? 0) >= options.maxPerTarget) {
        const now = options.clock();
        await options.queue.release(job, now, new Date(now.getTime() + deferMs));
        // Every due job may be for busy targets: stop looking until a slot frees or time passes.
        if (++deferred >= options.maxConcurrent) return;
        continue;
      }
      start(job, target);
    }
  };

  const poll = intervalTask(options.name, options.pollMs, fill, (err) =>
    options.log.error({ err }, `${options.name} failed`),
  );

  return {
    name: options.name,
    start() {
      stopped = false;
      poll.start();
    },
    kick() {
      poll.kick();
    },
    inFlight: () => running.size,
    async stop() {
      stopped = true;
      await poll.stop();
      const pending = [...running.values()];
      for (const r of pending) r.controller.abort();
      const settled = await settleWithin(
        pending.map((r) => r.done),
        options.stopGraceMs ?? 5000,
      );
      if (!settled)
        options.log.warn(
          { left: running.size },
          `${options.name}: jobs still running at shutdown; their leases will expire`,
        );
    },
  };
}
