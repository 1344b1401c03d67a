import type { ServiceContext } from '../domain/context.js';
import type { BackgroundTask } from '../domain/background.js';
import { newId } from '../domain/ids.js';
import type { Db } from '../store/db.js';
import { insertJob } from '../store/jobs.js';
import { findScanStatus, markScanQueued } from '../store/scans.js';
import { JobQueue } from '../jobs/queue.js';
import { createJobWorker, type JobWorker } from '../jobs/worker.js';
import { failScan, scanPackage, SCAN_STATUS, type ScanDeps } from './scan-package.js';
import { ScanWaiters } from './waiters.js';

/** The job kind of one package scan. */
export const SCAN_JOB = 'scan.package';

/** Attempts a scan job gets before the package is marked as failed. */
const SCAN_ATTEMPTS = 3;

/** The scanner of one running service, built by buildApp and handed to the routes that need it. */
export interface ScanService {
  /** Queues a scan of a package (a queued scan of the same package absorbs it) and wakes the worker. */
  enqueue(packageId: string): Promise<void>;
  /** Waits up to `seconds` for the package's scan to finish. */
  waitForScan(packageId: string, seconds: number): Promise<void>;
  /** The job workers taking scan jobs, as one (`kick`, `drain`, `start` and `stop` reach each). */
  worker: JobWorker;
  queue: JobQueue;
  /** What runs in the background: the job workers, then the worker processes they scan in. */
  tasks: BackgroundTask[];
}

/** How many scans a service runs at once, and the processes they run in. */
export interface ScanServiceOptions {
  /** Scan jobs run at once (one job worker each); default 1. */
  concurrency?: number;
  /** The worker processes, stopped after the job workers (see ScanWorkerPool). */
  workers?: BackgroundTask;
}

/** Several job workers over one queue, driven as one. */
function workersAsOne(workers: JobWorker[]): JobWorker {
  if (workers.length === 1) return workers[0]!;
  return {
    name: workers[0]!.name,
    start: () => workers.forEach((w) => w.start()),
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
    },
    kick: () => workers.forEach((w) => w.kick()),
    drain: async () => (await Promise.all(workers.map((w) => w.drain()))).reduce((a, b) => a + b, 0),
  };
}

const FINISHED: string[] = [
  SCAN_STATUS.vulnerable,
  SCAN_STATUS.clean,
  SCAN_STATUS.failed,
  SCAN_STATUS.notSupported,
];

/**
 * Queues the scan of a package in the transaction that creates it (the package row already says
 * it awaits its scan), so that no crash can leave a package that never gets scanned; the event's
 * listeners are then told so (`jobsQueued`) and only wake the worker.
 */
export async function queueScanInCommit(trx: Db, packageId: string, at: Date): Promise<void> {
  await insertJob(trx, {
    id: newId(16),
    kind: SCAN_JOB,
    payload: JSON.stringify({ packageId }),
    dedupeKey: `scan:${packageId}`,
    maxAttempts: SCAN_ATTEMPTS,
    runAt: at,
    now: at,
  });
}

/** Tells whether a package's latest scan has finished (a deleted package counts as finished). */
export async function isScanFinished(ctx: ServiceContext, packageId: string): Promise<boolean> {
  const row = await findScanStatus(ctx, packageId);
  return !row || row.deleted_at !== null || FINISHED.includes(row.security_scan_status);
}

/**
 * Builds the scanner: every new package gets a durable scan job; job workers run them (a scan
 * interrupted by a crash runs again when its lease expires) and wake long-polling waiters.
 */
export function createScanService(
  ctx: ServiceContext,
  deps: ScanDeps,
  options: ScanServiceOptions = {},
): ScanService {
  const waiters = new ScanWaiters();
  const queue = new JobQueue(ctx, {
    clock: ctx.clock,
    onLeaseLost: (job) =>
      ctx.log.warn({ job: job.id, kind: job.kind }, 'job lease lost to another worker; it runs there again'),
    // A scan whose service stopped on every attempt ends as failed, with its verdict, like one
    // whose attempts all threw: never "in progress" for ever.
    onAbandoned: async (jobs) => {
      for (const job of jobs) {
        if (job.kind !== SCAN_JOB) continue;
        const { packageId } = job.payload as { packageId: string };
        ctx.log.warn({ job: job.id, packageId }, 'scan stopped on its last attempt; recorded as failed');
        try {
          await failScan(ctx, deps, packageId);
        } catch (err) {
          ctx.log.error({ err, packageId }, 'recording an abandoned scan as failed did not commit');
        } finally {
          waiters.notify(packageId);
        }
      }
    },
  });
  const jobWorker = (): JobWorker =>
    createJobWorker({
      name: 'scan-worker',
      queue,
      clock: ctx.clock,
      log: ctx.log,
      retryDelayMs: (attempts) => Math.min(60_000, 2_000 * 2 ** attempts),
      handlers: {
        [SCAN_JOB]: async (job) => {
          const { packageId } = job.payload as { packageId: string };
          try {
            await scanPackage(ctx, deps, packageId);
          } catch (err) {
            // Out of attempts: say so on the package rather than leaving it "in progress" forever.
            // The verdict commits with that status; should even that fail, the package stays "in
            // progress" (the gate's wait runs out and fails closed) rather than finished without one.
            if (job.attempts >= job.maxAttempts) await failScan(ctx, deps, packageId);
            throw err;
          } finally {
            waiters.notify(packageId);
          }
        },
      },
      pollMs: 500,
    });
  // Each job worker claims one job at a time: as many of them as scans may run at once.
  const worker = workersAsOne(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, jobWorker));
  const enqueue = async (packageId: string): Promise<void> => {
    await markScanQueued(ctx, packageId, SCAN_STATUS.awaiting);
    await queue.enqueue(SCAN_JOB, { packageId }, ctx.clock(), {
      dedupeKey: `scan:${packageId}`,
      maxAttempts: SCAN_ATTEMPTS,
    });
    worker.kick();
  };
  ctx.listeners.push(async (event, packageId, _extra, done) => {
    if (event !== 'package.created') return;
    // Queued in the transaction that created the package: only the worker needs waking.
    if (done?.jobsQueued?.includes(SCAN_JOB)) worker.kick();
    else await enqueue(packageId);
  });
  return {
    enqueue,
    waitForScan: (packageId, seconds) =>
      waiters.wait(packageId, seconds, () => isScanFinished(ctx, packageId)),
    worker,
    queue,
    tasks: options.workers ? [worker, options.workers] : [worker],
  };
}
