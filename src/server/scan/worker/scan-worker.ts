/**
 * The entry of a scan worker process: for each `start` message, one after another, reads one
 * artifact's components, decides which can be evaluated, matches them against the advisories
 * (asking the service, which holds the database connection, for advisory rows) and sends back
 * the findings, the coverage and the component rows in small messages. Runs only as a child
 * process of a `ScanWorkerPool`, and ends when its channel to it closes.
 */
import os from 'node:os';
import { packageNameKey } from '../advisories/package-names.js';
import type { AffectedRow } from '../advisories/query.js';
import { AdvisoryIndexSlot } from '../advisory-index.js';
import { assessCoverage } from '../coverage.js';
import { extractComponents } from '../extract/index.js';
import type { Component } from '../extract/types.js';
import { buildScans, type MatchedAdvisory } from '../findings.js';
import type { AdvisoryQueries } from '../match.js';
import { matchOsvAdvisoriesWith } from '../osv-matcher.js';
import {
  COMPONENT_ROWS_PER_MESSAGE,
  SCAN_NICENESS,
  type ComponentRow,
  type ParentMessage,
  type QueryMethod,
  type WorkerInput,
  type WorkerMessage,
  type WorkerUsage,
} from './protocol.js';

if (!process.send) throw new Error('scan-worker runs only as a child process of the service');

// Scanning is background work: on a busy machine the process that answers requests goes first.
try {
  os.setPriority(SCAN_NICENESS);
} catch {
  // Not permitted here (some containers); the scan still runs, just at normal priority.
}

const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
let nextId = 0;
let goAhead: (() => void) | null = null;

// The service closed the channel (it retired this worker, or it is gone, even by SIGKILL): a
// worker never outlives the process that answers its queries.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: ParentMessage) => {
  if (message.kind === 'start') {
    run(message.input).catch((error: unknown) => {
      send({ kind: 'fault', message: error instanceof Error ? error.message : String(error) });
    });
    return;
  }
  if (message.kind === 'next') {
    goAhead?.();
    goAhead = null;
    return;
  }
  const waiting = pending.get(message.id);
  if (!waiting) return;
  pending.delete(message.id);
  if ('error' in message) waiting.reject(new Error(message.error));
  else waiting.resolve(message.value);
});

function send(message: WorkerMessage): void {
  process.send!(message);
}

function ask<T>(method: QueryMethod, ...args: unknown[]): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: (value) => resolve(value as T), reject });
    send({ kind: 'query', id, method, args });
  });
}

// The index outlives the scan: the next scan reads and compiles only names not seen yet, and
// every match asks for the advisory generation, so an import or a sync starts a new index.
const queries: AdvisoryQueries = {
  affectedRows: (ecosystem, nameKeys) => ask<AffectedRow[]>('affectedRows', ecosystem, nameKeys),
  aliases: (ids) => ask<Map<string, string[]>>('aliases', ids),
  details: (ids) => ask<Map<string, string>>('details', ids),
  generation: () => ask<string>('generation'),
  index: new AdvisoryIndexSlot(),
};

/** The rows `package_components` keeps: one per ecosystem, folded name and version. */
function componentRows(components: readonly Component[]): ComponentRow[] {
  const seen = new Set<string>();
  const rows: ComponentRow[] = [];
  for (const c of components) {
    const name = packageNameKey(c.ecosystem, c.name);
    const key = `${c.ecosystem}\0${name}\0${c.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push([c.ecosystem, name, c.version, c.location]);
  }
  return rows;
}

async function run({ input, limits, advisoryCounts }: WorkerInput): Promise<void> {
  const extracted = await extractComponents(input, limits);
  if (extracted.status !== 'ok') {
    send({ kind: 'done', result: extracted, usage: usage(0) });
    return;
  }
  const { components, limit } = extracted;
  const { record, matchable } = assessCoverage(components, advisoryCounts, limit);
  const toMatch = components.filter((_, i) => matchable[i]);
  const matchStarted = performance.now();
  const found = await matchOsvAdvisoriesWith(queries, toMatch);
  const matchMs = performance.now() - matchStarted;
  // Back to one list per component, in the order of `components`.
  let next = 0;
  const matches: MatchedAdvisory[][] = matchable.map((m) => (m ? found[next++]! : []));
  const scans = buildScans(components, matches);
  const rows = componentRows(components);
  for (let i = 0; i < rows.length; i += COMPONENT_ROWS_PER_MESSAGE) {
    const next = new Promise<void>((resolve) => (goAhead = resolve));
    send({ kind: 'components', rows: rows.slice(i, i + COMPONENT_ROWS_PER_MESSAGE) });
    await next;
  }
  send({
    kind: 'done',
    result: {
      status: 'ok',
      numComponents: components.length + (limit?.overflow ?? 0),
      scans,
      coverage: record,
    },
    usage: usage(matchMs),
  });
}

function usage(matchMs: number): WorkerUsage {
  const { rss, heapUsed } = process.memoryUsage();
  const cpu = process.cpuUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed, cpuMicros: cpu.user + cpu.system, matchMs };
}
