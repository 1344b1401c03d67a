import { Readable } from 'node:stream';
import {
  advisoryFeedTimes,
  jobBacklog,
  latestScanTiming,
  pingDatabase,
  type JobBacklog,
} from '../store/ops-queries.js';
import type { DbSource } from '../store/source.js';
import type { ServiceContext } from './context.js';
import type { Clock } from './ids.js';
import type { ServiceMetrics } from './metrics.js';

/** How long one readiness check may take before it counts as failed. */
const READY_CHECK_MS = 5_000;

/** Runs a check, bounded; resolves to 'ok' or what went wrong. */
async function probe(check: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${READY_CHECK_MS / 1000} s`), READY_CHECK_MS);
  });
  try {
    return await Promise.race([
      check().then(
        () => 'ok',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks what a replica needs to serve: the database and the blob store, each bounded in time. */
export async function readiness(ctx: ServiceContext): Promise<{ database: string; blobs: string }> {
  const [database, blobs] = await Promise.all([
    probe(() => pingDatabase(ctx)),
    // Staging an empty blob is what an upload does first: it proves the store takes writes.
    probe(async () => (await ctx.blobs.stage(Readable.from([]), 0)).discard()),
  ]);
  return { database, blobs };
}

/** What the metrics read from the shared database at scrape time (the same on every replica). */
export interface SharedGauges {
  /** Queued and running jobs by kind, and how long the oldest due one has waited. */
  backlog(): Promise<JobBacklog[]>;
  /** When each ecosystem's advisories were last refreshed. */
  advisoryFeeds(): Promise<{ ecosystem: string; updatedAt: string | null }[]>;
}

/** The gauges the service reports from its database. */
export function sharedGauges(db: DbSource, clock: Clock): SharedGauges {
  return {
    backlog: () => jobBacklog(db, clock()),
    advisoryFeeds: () => advisoryFeedTimes(db),
  };
}

/** Observes each finished scan's outcome and duration (after `package.security_scanned`). */
export function observeScans(ctx: ServiceContext, metrics: ServiceMetrics): void {
  ctx.listeners.push(async (event, packageId) => {
    if (event !== 'package.security_scanned') return;
    const scan = await latestScanTiming(ctx, packageId);
    if (scan) metrics.observeScan(scan.outcome, scan.seconds);
  });
}
