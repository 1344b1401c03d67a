import fs from 'node:fs';
import { ioCounts } from './io-counters.js';

/**
 * Brings an SQLite write-ahead log to the disk with `fdatasync` on the thread pool, so that the
 * event loop goes on serving while the disk works, and one sync covers every commit written
 * before it started (group commit). Linux syncs a file's data whichever descriptor asks, so a
 * descriptor of our own is as good as SQLite's.
 */
export class WalSync {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Set when a sync failed, until one succeeds: callers then let SQLite sync for itself. */
  private failed = false;

  /**
   * @param walFile the `-wal` file of the database
   * @param delayMs how long {@link schedule} waits, so that commits close together share a sync
   */
  constructor(
    private readonly walFile: string,
    private readonly delayMs: number,
  ) {}

  /** True after a sync failed and until one succeeds. */
  get unhealthy(): boolean {
    return this.failed;
  }

  /**
   * Resolves once a sync that started after this call has finished: everything committed
   * before the call is then on the disk. Calls made while a sync runs share the next one.
   */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const next = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.start();
      });
    this.queued = next;
    return next;
  }

  /** Syncs within `delayMs` (one timer for every commit in that window); failures mark it unhealthy. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // The failure is recorded in `failed`; nobody waits on a scheduled sync.
      this.flush().catch(() => undefined);
    }, this.delayMs);
    // A pending sync must not keep a stopping process alive: closing the database syncs anyway.
    this.timer.unref();
  }

  private start(): Promise<void> {
    const run = this.syncOnce().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async syncOnce(): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.walFile, 'r+');
    } catch (err) {
      // No log: the last connection checkpointed it into the database (synced) and removed it.
      if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return;
      this.failed = true;
      throw err;
    }
    try {
      await handle.datasync();
      ioCounts.logSyncs++;
      this.failed = false;
    } catch (err) {
      this.failed = true;
      throw err;
    } finally {
      await handle.close();
    }
  }
}
