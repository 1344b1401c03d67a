import os from 'node:os';
import type { ServiceContext } from '../../domain/context.js';
import type { ServerConfig } from '../../config.js';
import type { DbSource } from '../../store/source.js';
import type { ExtractInput, ExtractLimits } from '../extract/types.js';
import { ScanWorkerPool } from './pool.js';
import type { ScanAnalysis } from './protocol.js';

export type { ComponentRow, ScanAnalysis } from './protocol.js';

/** How a scan worker is bounded: the extraction limits, its heap, and its running time. */
export interface WorkerScanOptions {
  limits?: Partial<ExtractLimits>;
  /** The worker's old-generation heap cap in MiB; past it the worker dies and the scan fails. */
  heapMb: number;
  /** Seconds a scan may run before its worker is stopped and the scan fails. */
  timeoutSeconds: number;
}

/**
 * Reads and matches one artifact in a process started for it alone and ended after it (a pool
 * of one worker that runs one scan): what tools and tests that scan once use. A hostile or huge
 * artifact costs that process, never the event loop or the memory of the caller (a worker thread
 * would share both the process and its fate: V8 aborts the whole process when a thread's heap
 * runs out inside a long native call such as JSON.parse). A worker that runs out of memory,
 * crashes or overruns `timeoutSeconds` gives a `failed` analysis naming why. Rejects only when
 * the caller is at fault (a database error).
 */
export async function analyseInWorker(
  source: DbSource,
  input: ExtractInput,
  options: WorkerScanOptions,
): Promise<ScanAnalysis> {
  const pool = new ScanWorkerPool(source, { ...options, size: 1, maxScans: 1, recycleRssMb: 1 << 20 });
  try {
    return await pool.analyse(input);
  } finally {
    await pool.stop();
  }
}

/**
 * The number of scan workers `scan.workers` asks for; 0 means one per two cores, at least one
 * and at most four: scans are background work, and on a small machine a second worker would
 * take the core that answers requests during a burst of publishes.
 */
export function scanWorkerCount(config: ServerConfig, cores = os.availableParallelism()): number {
  if (config.scan.workers > 0) return config.scan.workers;
  return Math.min(4, Math.max(1, Math.floor(cores / 2)));
}

/** The service's pool of scan workers, bounded by its `scan` settings (workers start with the first scan). */
export function createConfiguredPool(ctx: ServiceContext): ScanWorkerPool {
  const { maxComponents, maxManifestBytes, maxComponentEntries, workerHeapMb, timeoutSeconds } =
    ctx.config.scan;
  return new ScanWorkerPool(ctx, {
    size: scanWorkerCount(ctx.config),
    limits: { maxComponents, maxManifestBytes, maxComponentEntries },
    heapMb: workerHeapMb,
    timeoutSeconds,
    maxScans: ctx.config.scan.workerMaxScans,
    recycleRssMb: ctx.config.scan.workerRecycleMb,
    idleSeconds: ctx.config.scan.workerIdleSeconds,
  });
}
