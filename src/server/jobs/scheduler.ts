import { intervalTask, type BackgroundTask } from '../domain/background.js';
import type { Clock } from '../domain/ids.js';
import type { Db } from '../store/db.js';
import { dbOf, type DbSource } from '../store/source.js';
import { acquireLease, releaseLease, renewLease } from '../store/leases.js';
import { newHolderId } from './holder.js';

/** How a scheduler holds its lease. */
export interface SchedulerLeaseOptions {
  /** Names this process in the `leases` table (default: host, pid and a random part). */
  holder?: string;
  /** How long the lease lasts without a renewal: how long a dead holder blocks the others. */
  ttlMs: number;
  clock: Clock;
}

/**
 * The lease that lets one process of several sharing a database run a scheduler. The holder
 * keeps it from tick to tick (each tick renews it), so the same process runs every pass while it
 * lives; when it dies the lease expires after `ttlMs` and another process's next tick takes it.
 */
export class SchedulerLease {
  /** Who this process is in the `leases` table. */
  readonly holder: string;

  private readonly db: Db;

  constructor(
    source: DbSource,
    /** The lease's name: one per scheduler. */
    readonly name: string,
    private readonly options: SchedulerLeaseOptions,
  ) {
    this.db = dbOf(source);
    this.holder = options.holder ?? newHolderId();
  }

  /** Takes the lease, or renews it when this holder has it; true when this holder holds it now. */
  async acquire(): Promise<boolean> {
    return acquireLease(this.db, this.name, this.holder, this.options.clock(), this.options.ttlMs);
  }

  /**
   * Runs `fn` when this holder holds (or can take) the lease, renewing it every third of its TTL
   * while `fn` runs; `fn`'s signal aborts if a renewal finds the lease taken over. Returns
   * whether `fn` ran.
   */
  async runIfHeld(fn: (signal: AbortSignal) => Promise<void>): Promise<boolean> {
    if (!(await this.acquire())) return false;
    const lost = new AbortController();
    let renewing: Promise<void> | null = null;
    const timer = setInterval(
      () => {
        renewing ??= renewLease(this.db, this.name, this.holder, this.options.clock(), this.options.ttlMs)
          .then((held) => {
            if (!held) lost.abort(new Error(`The ${this.name} lease was taken over by another process.`));
          })
          // A renewal that fails (the database away for a moment) is retried on the next tick.
          .catch(() => undefined)
          .finally(() => (renewing = null));
      },
      Math.max(1, Math.floor(this.options.ttlMs / 3)),
    );
    timer.unref();
    try {
      await fn(lost.signal);
    } finally {
      clearInterval(timer);
      await renewing;
    }
    return true;
  }

  /** Gives the lease up (when this holder has it), so another process takes over at once. */
  async release(): Promise<void> {
    await releaseLease(this.db, this.name, this.holder);
  }
}

/**
 * An {@link intervalTask} whose ticks run only in the process holding the scheduler lease
 * `name`: of several replicas on one database, one runs the passes, and another takes over
 * within `ttlMs` (default three intervals) of its death. `stop()` gives the lease up.
 */
export function leasedIntervalTask(
  db: DbSource,
  name: string,
  intervalMs: number,
  tick: (signal: AbortSignal) => Promise<void>,
  onError: (err: unknown) => void,
  options: { clock: Clock; ttlMs?: number; holder?: string },
): BackgroundTask & { kick(): void; lease: SchedulerLease } {
  const lease = new SchedulerLease(db, name, {
    clock: options.clock,
    ttlMs: options.ttlMs ?? 3 * intervalMs,
    ...(options.holder ? { holder: options.holder } : {}),
  });
  const task = intervalTask(
    name,
    intervalMs,
    async () => {
      await lease.runIfHeld(tick);
    },
    onError,
  );
  return {
    name,
    lease,
    start: task.start,
    kick: task.kick,
    async stop() {
      await task.stop();
      await lease.release().catch(onError);
    },
  };
}
