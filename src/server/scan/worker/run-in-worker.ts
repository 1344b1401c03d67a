import fs from 'node:fs';
import { dbOf, type DbSource } from '../../store/source.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import type { ServiceContext } from '../../domain/context.js';
import { advisoryPresence } from '../coverage-store.js';
import type { ExtractInput, ExtractLimits } from '../extract/types.js';
import { databaseQueries } from '../match.js';
import { KNOWN_ECOSYSTEMS } from '../versions/index.js';
import type { ComponentRow, ParentMessage, ScanAnalysis, WorkerInput, WorkerMessage } from './protocol.js';

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
 * The worker's entry file. Production runs the compiled module, so the entry is the sibling
 * `scan-worker.js`. Run from the TypeScript sources (as the test runner does), there is no such
 * sibling Node could start, so the compiled copy under `lib/` is used, which the build (and
 * the test setup) produce from the same sources.
 */
export function scanWorkerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = path.join(path.dirname(here), 'scan-worker.js');
  if (here.endsWith('.js')) return sibling;
  const root = path.resolve(path.dirname(here), '../../../..');
  return path.join(root, 'lib', path.relative(root, sibling));
}

/** The last bytes of the worker's stderr are kept: they say why V8 gave up, when it did. */
const STDERR_TAIL = 4096;

function describeDeath(code: number | null, signal: string | null, stderr: string, heapMb: number): string {
  if (/heap out of memory|Reached heap limit/i.test(stderr))
    return `the scan ran out of its memory allowance (${heapMb} MiB) and was stopped; the artifact's components were not evaluated.`;
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return `the scan stopped unexpectedly (${how}); the artifact's components were not evaluated.`;
}

/**
 * Reads and matches one artifact in a separate process with its own heap cap, so a hostile or
 * huge artifact costs that process, never the event loop or the memory of the one that serves
 * requests (a worker thread would share both the process and its fate: V8 aborts the whole
 * process when a thread's heap runs out inside a long native call such as JSON.parse). The
 * worker asks this process for advisory rows (answered from `db`); its results arrive in small,
 * acknowledged messages. A worker that runs out of memory, crashes or overruns
 * `timeoutSeconds` gives a `failed` analysis naming why. Rejects only when the service itself is
 * at fault (a database error), so that the job is retried.
 */
export async function analyseInWorker(
  source: DbSource,
  input: ExtractInput,
  options: WorkerScanOptions,
): Promise<ScanAnalysis> {
  const db = dbOf(source);
  const entry = scanWorkerEntry();
  if (!fs.existsSync(entry)) throw new Error(`The scan worker ${entry} is missing; build the service first.`);
  const workerInput: WorkerInput = {
    input,
    limits: options.limits ?? {},
    advisoryCounts: await advisoryPresence(db, KNOWN_ECOSYSTEMS),
  };
  const queries = databaseQueries(db);
  const child = fork(entry, [], {
    execArgv: [`--max-old-space-size=${options.heapMb}`],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const send = (message: ParentMessage): void => {
    if (child.connected) child.send(message);
  };
  const components: ComponentRow[] = [];
  try {
    return await new Promise<ScanAnalysis>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        settle(() =>
          resolve({
            status: 'failed',
            reason: `the scan took longer than its time limit (${options.timeoutSeconds} s) and was stopped; the artifact's components were not evaluated.`,
          }),
        );
      }, options.timeoutSeconds * 1000);
      child.on('message', (message: WorkerMessage) => {
        switch (message.kind) {
          case 'components':
            for (const row of message.rows) components.push(row);
            setImmediate(() => send({ kind: 'next' }));
            return;
          case 'query': {
            const [first, second] = message.args;
            const call: Promise<unknown> =
              message.method === 'affectedRows'
                ? queries.affectedRows(String(first), second as string[])
                : message.method === 'aliases'
                  ? queries.aliases(first as string[])
                  : message.method === 'generation'
                    ? queries.generation()
                    : queries.details(first as string[]);
            call.then(
              (value) => send({ kind: 'answer', id: message.id, value }),
              (error: unknown) =>
                send({
                  kind: 'answer',
                  id: message.id,
                  error: error instanceof Error ? error.message : String(error),
                }),
            );
            return;
          }
          case 'done':
            settle(() =>
              resolve(message.result.status === 'ok' ? { ...message.result, components } : message.result),
            );
            return;
          case 'fault':
            settle(() => reject(new Error(`the scan could not finish: ${message.message}`)));
        }
      });
      child.on('error', (error) =>
        settle(() => resolve({ status: 'failed', reason: `the scan could not start (${error.message}).` })),
      );
      void exited.then(({ code, signal }) =>
        settle(() =>
          resolve({ status: 'failed', reason: describeDeath(code, signal, stderr, options.heapMb) }),
        ),
      );
      send({ kind: 'start', input: workerInput });
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/** Scans in a worker within the service's configured scan limits (`scan` settings). */
export function analyseWithConfiguredWorker(ctx: ServiceContext, input: ExtractInput): Promise<ScanAnalysis> {
  const { maxComponents, maxManifestBytes, maxComponentEntries, workerHeapMb, timeoutSeconds } =
    ctx.config.scan;
  return analyseInWorker(ctx, input, {
    limits: { maxComponents, maxManifestBytes, maxComponentEntries },
    heapMb: workerHeapMb,
    timeoutSeconds,
  });
}
