import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** The digests of a byte stream. */
export interface StreamDigest {
  sha256: string;
  md5: string;
  sha1: string;
  size: number;
}

/** Feeds bytes in order; `finish` resolves with every digest. */
export interface Digester {
  update(chunk: Buffer): void;
  /**
   * Resolves once the hashing thread has caught up enough to take more bytes (at once when it
   * has). Writers await it between chunks so that a fast network cannot queue a whole upload in
   * memory ahead of a slower hash.
   */
  ready(): Promise<void>;
  finish(): Promise<StreamDigest>;
  /** Drops the state without computing anything. */
  cancel(): void;
}

// With SHA extensions md5 is the slowest of the three (about half of sha256 or sha1), so it goes
// to one shared worker thread while the request thread does sha256, sha1 and the disk write:
// the two sides then take about the same time per byte. The worker acknowledges every chunk so
// the sender knows how much is still queued.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'data') {
    let h = open.get(m.id);
    if (!h) { h = crypto.createHash('md5'); open.set(m.id, h); }
    h.update(Buffer.from(m.buf, m.off, m.len));
    parentPort.postMessage({ type: 'ack', len: m.len });
  } else if (m.type === 'end') {
    const h = open.get(m.id) ?? crypto.createHash('md5');
    open.delete(m.id);
    parentPort.postMessage({ type: 'done', id: m.id, md5: h.digest('hex') });
  } else if (m.type === 'cancel') {
    open.delete(m.id);
  }
});`;

type WorkerReply = { type: 'ack'; len: number } | { type: 'done'; id: number; md5: string };

/** Bytes that may wait for the hashing thread (all streams together) before writers pause. */
const HIGH_WATER = 16 * 1024 * 1024;
const INLINE_LIMIT = 4 * 1024 * 1024;

let worker: Worker | null = null;
let nextId = 1;
let queued = 0;
let roomWaiters: (() => void)[] = [];
const waiting = new Map<number, { resolve: (d: { md5: string }) => void; reject: (err: Error) => void }>();

function wakeWriters(): void {
  const wake = roomWaiters;
  roomWaiters = [];
  for (const w of wake) w();
}

// The thread is held (ref) only while it owes an answer, so an idle one never keeps the process alive.
function updateRef(thread: Worker): void {
  if (queued > 0 || waiting.size > 0) thread.ref();
  else thread.unref();
}

function sharedWorker(): Worker {
  if (!worker) {
    // No inherited flags: an inherited --input-type=module would make this CommonJS source fail.
    const created = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    created.on('message', (m: WorkerReply) => {
      if (m.type === 'ack') {
        queued -= m.len;
        if (queued <= HIGH_WATER / 2) wakeWriters();
      } else {
        waiting.get(m.id)?.resolve(m);
        waiting.delete(m.id);
      }
      updateRef(created);
    });
    // A dead worker took the state of every stream it was hashing with it: fail those streams.
    const fail = (err: unknown): void => {
      if (worker !== created) return;
      worker = null;
      queued = 0;
      wakeWriters();
      const reason = new Error(
        `The hashing thread stopped: ${err instanceof Error ? err.message : String(err)}`,
      );
      for (const w of waiting.values()) w.reject(reason);
      waiting.clear();
    };
    created.on('error', fail);
    created.on('exit', (code) => fail(`exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again.
    created.unref();
    worker = created;
  }
  return worker;
}

/**
 * Creates a digester. Small streams are hashed inline; once a stream passes 4 MiB its md5 moves
 * to the shared worker (the bytes so far are replayed there first).
 */
export function createDigester(): Digester {
  const sha256 = crypto.createHash('sha256');
  const sha1 = crypto.createHash('sha1');
  let inline: crypto.Hash | null = crypto.createHash('md5');
  let early: Buffer[] = [];
  let size = 0;
  let id = 0;
  // The thread holding this stream's md5/sha1 state; a replacement thread would not have it.
  let owner: Worker | null = null;
  const lost = (): boolean => owner !== null && worker !== owner;

  const send = (chunk: Buffer): void => {
    if (lost()) return;
    owner ??= sharedWorker();
    // A copy, transferred: the caller keeps (and may reuse) its buffer.
    const copy = new Uint8Array(chunk.byteLength);
    copy.set(chunk);
    queued += copy.byteLength;
    owner.postMessage({ type: 'data', id, buf: copy.buffer, off: 0, len: copy.byteLength }, [copy.buffer]);
    updateRef(owner);
  };

  return {
    update(chunk: Buffer): void {
      sha256.update(chunk);
      sha1.update(chunk);
      size += chunk.length;
      if (inline) {
        if (size <= INLINE_LIMIT) {
          inline.update(chunk);
          early.push(chunk);
          return;
        }
        inline = null;
        id = nextId++;
        for (const b of early) send(b);
        early = [];
      }
      send(chunk);
    },
    async ready(): Promise<void> {
      if (inline || queued <= HIGH_WATER || lost()) return;
      await new Promise<void>((resolve) => roomWaiters.push(resolve));
    },
    async finish(): Promise<StreamDigest> {
      const hex = sha256.digest('hex');
      if (inline) {
        early = [];
        return { sha256: hex, md5: inline.digest('hex'), sha1: sha1.digest('hex'), size };
      }
      if (lost() || !owner) throw new Error('The hashing thread stopped before the stream ended.');
      const thread = owner;
      const sha1Hex = sha1.digest('hex');
      const rest = await new Promise<{ md5: string }>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        updateRef(thread);
        thread.postMessage({ type: 'end', id });
      });
      return { sha256: hex, md5: rest.md5, sha1: sha1Hex, size };
    },
    cancel(): void {
      early = [];
      if (owner && !lost()) owner.postMessage({ type: 'cancel', id });
    },
  };
}
