import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { settleWithin, type BackgroundTask } from '../../domain/background.js';
import { dbOf, type DbSource } from '../../store/source.js';
import { advisoryPresence } from '../coverage-store.js';
import type { ExtractInput, ExtractLimits } from '../extract/types.js';
import { databaseQueries, type AdvisoryQueries } from '../match.js';
import { KNOWN_ECOSYSTEMS } from '../versions/index.js';
import type { ComponentRow, ParentMessage, ScanAnalysis, WorkerInput, WorkerMessage } from './protocol.js';
import { describeDeath, scanWorkerEntry, STDERR_TAIL } from './worker-process.js';

/** How a pool runs its workers: how many, how each is bounded, and when one is replaced. */
export interface ScanPoolOptions {
  /** Worker processes at most; scans beyond that wait for one to be free. */
  size: number;
  limits?: Partial<ExtractLimits>;
  /** Each worker's old-generation heap cap in MiB; past it the worker dies and its scan fails. */
  heapMb: number;
  /** Seconds a scan may run before its worker is stopped and the scan fails. */
  timeoutSeconds: number;
  /** Scans a worker runs before it is replaced by a fresh one. */
  maxScans: number;
  /** Resident memory in MiB above which a worker is replaced after its scan. */
  recycleRssMb: number;
  /** Seconds a worker may wait for a scan before it is stopped (its memory given back); 0: never. */
  idleSeconds?: number;
  /** How long `stop()` lets running scans finish before it stops their workers (default 5 s). */
  stopGraceMs?: number;
  /** The worker's entry file (default: the compiled `scan-worker.js`). */
  entry?: string;
}

/** What a pool has done so far (the bench and the tests read it). */
export interface ScanPoolStats {
  /** Worker processes started. */
  started: number;
  /** Scans that ended with a result from a worker. */
  scans: number;
  /** Workers replaced after a scan because they had grown or had run `maxScans` scans. */
  recycled: number;
  /** Workers stopped because their scan ran out of memory, crashed or overran its time. */
  lost: number;
  /**
   * Advisory look-ups the workers asked for: one per ecosystem of a scan with names their index
   * did not hold yet (a warm worker scanning names it has seen asks none).
   */
  lookups: number;
  /** CPU time of the workers in ms, start-up included, as they reported it after each scan. */
  workerCpuMs: number;
  /** Wall time the workers spent matching (advisory look-ups included), in ms. */
  matchMs: number;
  /** Process ids of the workers alive now. */
  pids: number[];
}

/** Why a scan could not run or finish that is no fault of its artifact: the job runs it again. */
const STOPPING = 'the service is stopping; the scan runs again when it is back';

const MIB = 1024 * 1024;

/** One worker process and what the pool knows about it. */
interface Worker {
  child: ChildProcess;
  scans: number;
  /** CPU time the process had reported by its last scan, in µs. */
  cpuMicros: number;
  stderr: string;
  exited: Promise<void>;
  /** Ends the worker when it has waited `idleSeconds` for a scan. */
  idleTimer?: NodeJS.Timeout;
}

/** The outcome of one scan on one worker, and whether that worker may run another. */
interface Outcome {
  analysis: ScanAnalysis;
  keep: boolean;
}

/**
 * Long-lived scan worker processes: each runs scans one after another and keeps its compiled
 * advisory index between them (rebuilt when the advisory generation moves), so a scan pays
 * neither Node's start-up nor reading the advisories of names an earlier scan read. Every
 * guarantee of a process per scan stays: a scan runs in a process of its own with its own heap
 * cap, at a lower priority; one that runs out of memory, crashes or overruns its time fails with
 * the reason, and its worker is gone (the next scan starts a fresh one). A worker that has grown
 * past `recycleRssMb`, or has run `maxScans` scans, is replaced after its scan. Workers start on
 * the first scan (a service that never scans starts none) and end when they have waited
 * `idleSeconds` for one, with `stop()`, or by themselves when the service's process is gone.
 */
export class ScanWorkerPool implements BackgroundTask {
  /** The name it has among the service's background tasks. */
  readonly name = 'scan-workers';
  private readonly idle: Worker[] = [];
  private readonly live = new Set<Worker>();
  private readonly waiting: { resume(): void; abort(error: Error): void }[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private busy = 0;
  private stopped = false;
  private readonly counts = {
    started: 0,
    scans: 0,
    recycled: 0,
    lost: 0,
    lookups: 0,
    cpuMicros: 0,
    matchMs: 0,
  };

  /**
   * @param source where advisory look-ups of the workers are answered
   * @param options the pool's size and each worker's bounds
   */
  constructor(
    private readonly source: DbSource,
    private readonly options: ScanPoolOptions,
  ) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`A scan worker pool needs a size of at least 1 (got ${options.size}).`);
  }

  /** Scans that run at once at most: one per worker. */
  get size(): number {
    return this.options.size;
  }

  /** Nothing to do: workers start with the first scan. */
  start(): void {
    this.stopped = false;
  }

  /**
   * Reads and matches one artifact in a worker (see the class). Gives a `failed` analysis when
   * the worker runs out of memory, crashes or overruns the time limit; rejects only when the
   * service is at fault (a database error, or the service stopping), so that the job is retried.
   */
  async analyse(input: ExtractInput): Promise<ScanAnalysis> {
    if (this.stopped) throw new Error(STOPPING);
    await this.acquire();
    const run = this.runOnWorker(input);
    this.running.add(run);
    try {
      return await run;
    } finally {
      this.running.delete(run);
      this.release();
    }
  }

  /** What the pool has done so far, and the workers alive now. */
  stats(): ScanPoolStats {
    return {
      started: this.counts.started,
      scans: this.counts.scans,
      recycled: this.counts.recycled,
      lost: this.counts.lost,
      lookups: this.counts.lookups,
      workerCpuMs: this.counts.cpuMicros / 1000,
      matchMs: this.counts.matchMs,
      pids: [...this.live].flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid])),
    };
  }

  /**
   * Takes no more scans, lets those running finish for a bounded time, then stops every worker
   * and waits for each to exit: the service leaves no worker process behind.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.abort(new Error(STOPPING));
    await settleWithin(this.running, this.options.stopGraceMs ?? 5000);
    const workers = [...this.live];
    for (const worker of workers) this.end(worker);
    await Promise.all(workers.map((w) => w.exited));
  }

  private acquire(): Promise<void> {
    if (this.busy < this.options.size) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise<void>((resume, abort) => this.waiting.push({ resume, abort }));
  }

  /** Hands the slot to the next waiting scan, else frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next.resume();
    else this.busy--;
  }

  private async runOnWorker(input: ExtractInput): Promise<ScanAnalysis> {
    const db = dbOf(this.source);
    const workerInput: WorkerInput = {
      input,
      limits: this.options.limits ?? {},
      advisoryCounts: await advisoryPresence(db, KNOWN_ECOSYSTEMS),
    };
    if (this.stopped) throw new Error(STOPPING);
    const worker = this.idle.pop() ?? this.spawn();
    clearTimeout(worker.idleTimer);
    let kept = false;
    try {
      const { analysis, keep } = await this.scanOn(worker, workerInput, databaseQueries(db));
      this.counts.scans++;
      kept = keep && !this.stopped;
      if (kept) this.park(worker);
      return analysis;
    } finally {
      // Nothing in a worker needs cleaning up (the scratch file is the service's): no grace.
      if (!kept) this.end(worker);
    }
  }

  private spawn(): Worker {
    const entry = this.options.entry ?? scanWorkerEntry();
    if (!fs.existsSync(entry))
      throw new Error(`The scan worker ${entry} is missing; build the service first.`);
    const child = fork(entry, [], {
      execArgv: [`--max-old-space-size=${this.options.heapMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const worker: Worker = {
      child,
      scans: 0,
      cpuMicros: 0,
      stderr: '',
      exited: new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        // A process that never started has nothing to wait for; the scan that wanted it reports it.
        child.on('error', () => {
          if (child.pid === undefined) resolve();
        });
      }),
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      worker.stderr = (worker.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.live.add(worker);
    void worker.exited.then(() => {
      this.live.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.counts.started++;
    return worker;
  }

  /** Puts a worker back among the idle ones, to end if no scan wants it for `idleSeconds`. */
  private park(worker: Worker): void {
    this.idle.push(worker);
    const seconds = this.options.idleSeconds ?? 0;
    if (seconds <= 0) return;
    worker.idleTimer = setTimeout(() => this.end(worker), seconds * 1000);
    // A quiet service may exit with an idle worker: stop() or the closed channel ends it.
    worker.idleTimer.unref();
  }

  /** Stops a worker now; it leaves the pool's lists when it has exited. */
  private end(worker: Worker): void {
    clearTimeout(worker.idleTimer);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    const { child } = worker;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Runs one scan on `worker`: answers its queries, gathers its rows, watches its time and its life. */
  private scanOn(worker: Worker, workerInput: WorkerInput, queries: AdvisoryQueries): Promise<Outcome> {
    const { child } = worker;
    const { timeoutSeconds, heapMb } = this.options;
    worker.stderr = '';
    const send = (message: ParentMessage): void => {
      if (child.connected) child.send(message);
    };
    const components: ComponentRow[] = [];
    return new Promise<Outcome>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('close', onClose);
        fn();
      };
      const lose = (reason: string): void => {
        this.counts.lost++;
        this.end(worker);
        resolve({ analysis: { status: 'failed', reason }, keep: false });
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            lose(
              `the scan took longer than its time limit (${timeoutSeconds} s) and was stopped; the artifact's components were not evaluated.`,
            ),
          ),
        timeoutSeconds * 1000,
      );
      const onError = (error: Error): void =>
        settle(() => lose(`the scan could not start (${error.message}).`));
      const onClose = (code: number | null, signal: NodeJS.Signals | null): void =>
        settle(() => {
          if (this.stopped) reject(new Error(STOPPING));
          else lose(describeDeath(code, signal, worker.stderr, heapMb));
        });
      const onMessage = (message: WorkerMessage): void => {
        switch (message.kind) {
          case 'components':
            for (const row of message.rows) components.push(row);
            setImmediate(() => send({ kind: 'next' }));
            return;
          case 'query':
            if (message.method === 'affectedRows') this.counts.lookups++;
            answer(queries, message, send);
            return;
          case 'done':
            settle(() => {
              const { usage } = message;
              worker.scans++;
              this.counts.cpuMicros += usage.cpuMicros - worker.cpuMicros;
              worker.cpuMicros = usage.cpuMicros;
              this.counts.matchMs += usage.matchMs;
              const grown =
                worker.scans >= this.options.maxScans || usage.rssBytes > this.options.recycleRssMb * MIB;
              if (grown) this.counts.recycled++;
              const analysis: ScanAnalysis =
                message.result.status === 'ok' ? { ...message.result, components } : message.result;
              resolve({ analysis, keep: !grown });
            });
            return;
          case 'fault':
            // The worker's state after a fault is not known to be sound: it is not used again.
            settle(() => reject(new Error(`the scan could not finish: ${message.message}`)));
        }
      };
      child.on('message', onMessage);
      child.on('error', onError);
      child.on('close', onClose);
      send({ kind: 'start', input: workerInput });
    });
  }
}

/** Answers one advisory query of a worker from the database. */
function answer(
  queries: AdvisoryQueries,
  message: Extract<WorkerMessage, { kind: 'query' }>,
  send: (message: ParentMessage) => void,
): void {
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
      send({ kind: 'answer', id: message.id, error: error instanceof Error ? error.message : String(error) }),
  );
}
