import type { VulnerabilityScan } from '../../../api/vulnerabilities.js';
import type { CoverageRecord } from '../coverage.js';
import type { ExtractInput, ExtractLimits } from '../extract/types.js';

/** What a scan worker process is asked to scan (one `start` message per scan). */
export interface WorkerInput {
  input: ExtractInput;
  limits: Partial<ExtractLimits>;
  /** Live advisories per OSV ecosystem when the scan started: an ecosystem with none cannot be evaluated. */
  advisoryCounts: Record<string, number>;
}

/** One row of `package_components`: ecosystem, folded name, version, location. */
export type ComponentRow = [ecosystem: string, name: string, version: string, location: string];

/** The outcome of reading and matching one artifact. */
export type ScanAnalysis =
  | {
      status: 'ok';
      /** Distinct components found, including those a scan limit left out. */
      numComponents: number;
      scans: VulnerabilityScan[];
      coverage: CoverageRecord;
      /** The components kept (at most the components limit), for rescans when advisories change. */
      components: ComponentRow[];
    }
  | { status: 'not_supported' | 'failed'; reason: string };

/** The advisory queries a worker asks its parent thread to answer. */
export type QueryMethod = 'affectedRows' | 'aliases' | 'details' | 'generation';

/**
 * What a worker process holds after a scan: the pool recycles a worker that has grown, and sums
 * the CPU time of its workers (a figure a parent cannot read for a child that is still running).
 */
export interface WorkerUsage {
  rssBytes: number;
  heapUsedBytes: number;
  /** User plus system CPU time of the whole process so far, start-up included. */
  cpuMicros: number;
  /** Wall time of the scan's matching (advisory look-ups included), in ms. */
  matchMs: number;
}

/** Messages from a scan worker to the service that started it. */
export type WorkerMessage =
  | { kind: 'query'; id: number; method: QueryMethod; args: unknown[] }
  | { kind: 'components'; rows: ComponentRow[] }
  | {
      kind: 'done';
      result:
        Exclude<ScanAnalysis, { status: 'ok' }> | Omit<Extract<ScanAnalysis, { status: 'ok' }>, 'components'>;
      usage: WorkerUsage;
    }
  | { kind: 'fault'; message: string };

/**
 * Messages from the service to a scan worker: a scan to run (a worker runs one at a time, and is
 * sent the next only after the last one's `done`), answers to its queries, and the go-ahead
 * for the next batch of component rows (sent only after the parent's event loop had a turn, so
 * a large result never arrives as one long run of messages).
 */
export type ParentMessage =
  | { kind: 'start'; input: WorkerInput }
  | { kind: 'answer'; id: number; value: unknown }
  | { kind: 'answer'; id: number; error: string }
  | { kind: 'next' };

/** Component rows per message: small enough that receiving one never holds the event loop long. */
export const COMPONENT_ROWS_PER_MESSAGE = 1000;

/** The nice value of a scan worker process: lower priority than the service answering requests. */
export const SCAN_NICENESS = 10;
