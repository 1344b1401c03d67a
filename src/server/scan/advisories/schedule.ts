import { intervalTask, type BackgroundTask } from '../../domain/background.js';
import { dbOf, type DbSource } from '../../store/source.js';
import type { ServiceContext } from '../../domain/context.js';
import { newHolderId } from '../../jobs/holder.js';
import { feedTimes } from '../../store/advisories.js';
import { acquireSyncLease, releaseSyncLease } from './lease.js';
import { DEFAULT_SYNC_ECOSYSTEMS, syncEcosystem, type EcosystemSync } from './sync.js';

/** How `serve` keeps advisory data fresh. */
export interface SyncSchedule {
  /** Seconds between syncs of an ecosystem (0 turns scheduled sync off). */
  intervalSeconds: number;
  /** Where archives come from (see {@link syncEcosystem}). */
  source: string;
  ecosystems?: string[];
  /** Timeout of each request. */
  timeoutMs?: number;
  /** How often to look whether a sync is due (default: a minute, or the interval when shorter). */
  checkEveryMs?: number;
}

/** How long a process may hold the sync lease without renewing it (it renews per ecosystem). */
const LEASE_MS = 15 * 60_000;

/** Whether one of `ecosystems` was last checked longer than `intervalMs` ago (or never). */
export async function isSyncDue(
  source: DbSource,
  ecosystems: string[],
  now: Date,
  intervalMs: number,
): Promise<boolean> {
  const db = dbOf(source);
  const rows = await feedTimes({ db }, ecosystems);
  const checked = new Map(rows.map((r) => [r.ecosystem, r.checked_at]));
  return ecosystems.some((e) => {
    const at = checked.get(e);
    return !at || now.getTime() - Date.parse(at) >= intervalMs;
  });
}

/**
 * The background task of `serve` that syncs advisories when they are due: at start (when the
 * last check is older than the interval) and then every interval. Of several processes sharing
 * one database only the holder of the sync lease syncs. A failure (no network, a bad archive) is
 * one warning per attempt and the service serves on with the data it has. `stop()` aborts a
 * download or import in progress and waits for it to unwind.
 */
export function advisorySyncTask(ctx: ServiceContext, schedule: SyncSchedule): BackgroundTask {
  const ecosystems = schedule.ecosystems ?? DEFAULT_SYNC_ECOSYSTEMS;
  const intervalMs = schedule.intervalSeconds * 1000;
  const holder = newHolderId();
  const controller = new AbortController();
  const tick = async (): Promise<void> => {
    if (controller.signal.aborted || !(await isSyncDue(ctx, ecosystems, ctx.clock(), intervalMs))) return;
    if (!(await acquireSyncLease(ctx, holder, ctx.clock(), LEASE_MS))) return;
    const results: EcosystemSync[] = [];
    try {
      for (const ecosystem of ecosystems) {
        controller.signal.throwIfAborted();
        if (!(await acquireSyncLease(ctx, holder, ctx.clock(), LEASE_MS))) return;
        results.push(
          await syncEcosystem(ctx, ecosystem, {
            source: schedule.source,
            ecosystems,
            clock: ctx.clock,
            signal: controller.signal,
            ...(schedule.timeoutMs ? { timeoutMs: schedule.timeoutMs } : {}),
          }),
        );
      }
    } finally {
      await releaseSyncLease(ctx, holder, ctx.clock());
    }
    const failed = results.filter((r) => r.outcome === 'failed');
    const updated = results.filter((r) => r.outcome === 'updated');
    if (updated.length > 0) {
      ctx.log.info(
        {
          updated: updated.map((r) => ({
            ecosystem: r.ecosystem,
            added: r.import?.added.length ?? 0,
            changed: r.import?.changed.length ?? 0,
            rescans: r.rescans,
          })),
        },
        'advisory data updated',
      );
    }
    if (failed.length > 0) {
      ctx.log.warn(
        { failed: failed.map((r) => ({ ecosystem: r.ecosystem, error: r.error })) },
        `advisory sync failed for ${failed.map((r) => r.ecosystem).join(', ')}; serving on with the advisory data already held`,
      );
    }
  };
  const task = intervalTask(
    'advisory-sync',
    Math.max(1, Math.min(intervalMs, schedule.checkEveryMs ?? 60_000)),
    tick,
    (err) => {
      if (controller.signal.aborted) return;
      ctx.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'advisory sync failed; serving on with the advisory data already held',
      );
    },
  );
  return {
    name: task.name,
    start() {
      task.start();
      task.kick();
    },
    async stop() {
      controller.abort();
      await task.stop();
    },
  };
}
