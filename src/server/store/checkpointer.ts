import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpoint thread copies the write-ahead log into the database. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * The log size (in pages) at which the request thread checkpoints for itself, as SQLite does by
 * default at 1,000: a backstop for when the checkpoint thread cannot keep up.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 10_000;

const STOP_WAIT_MS = 5000;

// A PASSIVE checkpoint never waits for the writer or readers: it copies what it can. It syncs the
// log before and the database after copying, which is why it runs here and not on the request
// thread, whose event loop would otherwise stand still for both syncs.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// For opening and reading the schema; the checkpoint itself never waits.
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try {
    db.close();
  } finally {
    Atomics.store(workerData.stopped, 0, 1);
    Atomics.notify(workerData.stopped, 0);
    parentPort.close();
  }
});`;

/** A thread that checkpoints one SQLite database in the background until stopped. */
export interface Checkpointer {
  /**
   * Stops the thread and waits (synchronously, a checkpoint at most) until its connection is
   * closed, so that closing the database's own connection afterwards is the last close, which
   * checkpoints everything and removes the log.
   */
  stop(): void;
}

/**
 * Starts a checkpoint thread for the SQLite database `file` (in WAL mode) with its own
 * connection. `onError` hears about checkpoints that failed (the next one tries again).
 */
export function startCheckpointer(file: string, onError: (message: string) => void): Checkpointer {
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // No inherited flags: an inherited --input-type=module would make this CommonJS source fail.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { driver, file, intervalMs: CHECKPOINT_INTERVAL_MS, stopped },
  });
  worker.on('message', (m: { error: string }) => onError(m.error));
  worker.on('error', (err) => onError(err.message));
  let running = true;
  worker.on('exit', () => (running = false));
  // After the listeners (adding one refs the thread again): it never keeps the process alive.
  worker.unref();
  return {
    stop() {
      if (!running) return;
      running = false;
      worker.postMessage('stop');
      Atomics.wait(stopped, 0, 0, STOP_WAIT_MS);
    },
  };
}
