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
  /** True when {@link ready} would resolve at once: the caller may go on without awaiting it. */
  hasRoom(): boolean;
  finish(): Promise<StreamDigest>;
  /** Drops the state without computing anything. */
  cancel(): void;
}

// With SHA extensions md5 is the slowest of the three (about half the speed of sha256 or sha1).
// md5 and sha1 go to one shared worker thread while the request thread reads the socket, does
// sha256 (the blob's address, needed first) and queues the disk writes: that splits the work
// about evenly between the two threads, where sha1 on the request thread made it the longer one.
// Each stream past the inline limit gets a ring of shared memory: the request thread copies its
// chunks in and tells the worker which byte range to hash, in batches; the worker acknowledges
// ranges as it finishes them, which frees ring space. A transferred copy per chunk would allocate
// an upload's worth of buffers that only each thread's garbage collector gives back (tens of MiB
// of resident memory per upload); the ring bounds what a stream holds to its size.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'open') {
    open.set(m.id, { md5: crypto.createHash('md5'), sha1: crypto.createHash('sha1'), ring: new Uint8Array(m.ring) });
  } else if (m.type === 'data') {
    const s = open.get(m.id);
    if (s) {
      const size = s.ring.length;
      for (let at = m.from; at < m.to; ) {
        const pos = at % size;
        const n = Math.min(m.to - at, size - pos);
        const bytes = s.ring.subarray(pos, pos + n);
        s.md5.update(bytes);
        s.sha1.update(bytes);
        at += n;
      }
    }
    parentPort.postMessage({ type: 'ack', id: m.id, upTo: m.to });
  } else if (m.type === 'end') {
    const s = open.get(m.id);
    open.delete(m.id);
    parentPort.postMessage({
      type: 'done',
      id: m.id,
      md5: (s ? s.md5 : crypto.createHash('md5')).digest('hex'),
      sha1: (s ? s.sha1 : crypto.createHash('sha1')).digest('hex'),
    });
  } else if (m.type === 'cancel') {
    open.delete(m.id);
  }
});`;

/** What the worker computes for a stream. */
interface WorkerDigest {
  md5: string;
  sha1: string;
}

type WorkerReply = { type: 'ack'; id: number; upTo: number } | ({ type: 'done'; id: number } & WorkerDigest);

/** Shared memory per stream hashed on the worker: the most bytes it may have waiting there. */
const RING_BYTES = 2 * 1024 * 1024;
/** Bytes copied into a ring before the worker is told about them (fewer, larger messages). */
const BATCH_BYTES = 256 * 1024;
/** Rings kept for the next streams rather than left to the garbage collectors of both threads. */
const SPARE_RINGS = 4;
const INLINE_LIMIT = 4 * 1024 * 1024;

/** What the worker's replies update: a stream's progress, and its final digest. */
interface WorkerStream {
  acked(upTo: number): void;
  resolve(d: WorkerDigest): void;
  reject(err: Error): void;
}

let worker: Worker | null = null;
let nextId = 1;
const streams = new Map<number, WorkerStream>();
/** Streams with bytes on the worker that it has not acknowledged, or a digest it still owes. */
let owing = 0;
const spareRings: SharedArrayBuffer[] = [];

// The thread is held (ref) only while it owes an answer, so an idle one never keeps the process alive.
function updateRef(thread: Worker): void {
  if (owing > 0) thread.ref();
  else thread.unref();
}

function sharedWorker(): Worker {
  if (!worker) {
    // No inherited flags: an inherited --input-type=module would make this CommonJS source fail.
    const created = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    created.on('message', (m: WorkerReply) => {
      const stream = streams.get(m.id);
      if (m.type === 'ack') stream?.acked(m.upTo);
      else {
        streams.delete(m.id);
        stream?.resolve(m);
      }
      updateRef(created);
    });
    // A dead worker took the state of every stream it was hashing with it: fail those streams.
    const fail = (err: unknown): void => {
      if (worker !== created) return;
      worker = null;
      const reason = new Error(
        `The hashing thread stopped: ${err instanceof Error ? err.message : String(err)}`,
      );
      const lost = [...streams.values()];
      streams.clear();
      owing = 0;
      for (const s of lost) s.reject(reason);
    };
    created.on('error', fail);
    created.on('exit', (code) => fail(`exit code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again.
    created.unref();
    worker = created;
  }
  return worker;
}

function takeRing(): SharedArrayBuffer {
  return spareRings.pop() ?? new SharedArrayBuffer(RING_BYTES);
}

function giveBackRing(ring: SharedArrayBuffer): void {
  if (spareRings.length < SPARE_RINGS) spareRings.push(ring);
}

/**
 * One stream's md5 and sha1 on the worker: a ring its bytes are copied into, the byte counts copied,
 * announced and acknowledged (positions in the ring are counts modulo its size), and chunks
 * waiting for room.
 */
class WorkerHashes implements WorkerStream {
  private readonly id = nextId++;
  private readonly thread = sharedWorker();
  private ring: SharedArrayBuffer | null = takeRing();
  private readonly view = new Uint8Array(this.ring!);
  private copied = 0;
  private announced = 0;
  private acknowledged = 0;
  private waiting: Buffer[] = [];
  private roomWaiters: (() => void)[] = [];
  private failure: Error | null = null;
  private result: Promise<WorkerDigest> | null = null;
  private settle: { resolve(d: WorkerDigest): void; reject(err: Error): void } | null = null;
  /** Answers the worker owes this stream: 1 while bytes await acknowledgement, 1 for the digest. */
  private owed = 0;

  constructor() {
    streams.set(this.id, this);
    this.thread.postMessage({ type: 'open', id: this.id, ring: this.ring });
  }

  /** True while this stream's thread is the live worker (a replacement would not hold its state). */
  get lost(): boolean {
    return this.failure !== null || worker !== this.thread;
  }

  update(chunk: Buffer): void {
    if (this.lost) return;
    if (this.waiting.length > 0) this.waiting.push(chunk);
    else {
      const done = this.copyIn(chunk);
      if (done < chunk.length) this.waiting.push(chunk.subarray(done));
    }
    if (this.copied - this.announced >= BATCH_BYTES) this.announce();
  }

  /** True when the next chunk can be taken without queueing (half the ring or more is free). */
  hasRoom(): boolean {
    return this.lost || (this.waiting.length === 0 && this.copied - this.acknowledged <= RING_BYTES / 2);
  }

  async room(): Promise<void> {
    if (this.hasRoom()) return;
    this.announce();
    await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  acked(upTo: number): void {
    this.acknowledged = upTo;
    if (this.acknowledged === this.announced) this.owe(-1);
    while (this.waiting.length > 0) {
      const head = this.waiting[0]!;
      const done = this.copyIn(head);
      if (done < head.length) {
        this.waiting[0] = head.subarray(done);
        break;
      }
      this.waiting.shift();
    }
    this.announce();
    if (this.hasRoom()) this.wake();
  }

  finish(): Promise<WorkerDigest> {
    if (this.lost)
      return Promise.reject(this.failure ?? new Error('The hashing thread stopped before the stream ended.'));
    this.result ??= (async () => {
      while (this.waiting.length > 0) await this.room();
      this.announce();
      const digest = await new Promise<WorkerDigest>((resolve, reject) => {
        this.settle = { resolve, reject };
        this.owe(1);
        this.thread.postMessage({ type: 'end', id: this.id });
      });
      this.release();
      return digest;
    })();
    return this.result;
  }

  resolve(d: WorkerDigest): void {
    this.owe(-1);
    this.settle?.resolve({ md5: d.md5, sha1: d.sha1 });
  }

  reject(err: Error): void {
    this.failure = err;
    this.ring = null;
    this.settle?.reject(err);
    this.wake();
  }

  cancel(): void {
    this.waiting = [];
    if (this.lost) return;
    streams.delete(this.id);
    this.owe(-this.owed);
    this.thread.postMessage({ type: 'cancel', id: this.id });
    updateRef(this.thread);
    // The worker reads the ring only for messages sent before the cancel; the next stream's
    // bytes reach it after them.
    this.release();
    this.wake();
  }

  /** Counts what this stream makes the worker owe, holding the thread while it owes anything. */
  private owe(delta: number): void {
    this.owed += delta;
    owing += delta;
    updateRef(this.thread);
  }

  private release(): void {
    if (this.ring) giveBackRing(this.ring);
    this.ring = null;
  }

  private wake(): void {
    const wake = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of wake) w();
  }

  /** Copies what fits of `chunk` into the ring; returns how many bytes it took. */
  private copyIn(chunk: Buffer): number {
    const free = RING_BYTES - (this.copied - this.acknowledged);
    let taken = 0;
    while (taken < chunk.length && taken < free) {
      const pos = (this.copied + taken) % RING_BYTES;
      const n = Math.min(chunk.length - taken, free - taken, RING_BYTES - pos);
      this.view.set(chunk.subarray(taken, taken + n), pos);
      taken += n;
    }
    this.copied += taken;
    return taken;
  }

  /** Tells the worker about every byte copied but not yet announced. */
  private announce(): void {
    if (this.lost || this.copied === this.announced) return;
    if (this.acknowledged === this.announced) this.owe(1);
    this.thread.postMessage({ type: 'data', id: this.id, from: this.announced, to: this.copied });
    this.announced = this.copied;
  }
}

/**
 * Creates a digester. Small streams are hashed inline; once a stream passes 4 MiB its md5 and
 * sha1 move to the shared worker (the bytes so far are replayed there first).
 */
export function createDigester(): Digester {
  const sha256 = crypto.createHash('sha256');
  let inline: { md5: crypto.Hash; sha1: crypto.Hash } | null = {
    md5: crypto.createHash('md5'),
    sha1: crypto.createHash('sha1'),
  };
  let early: Buffer[] = [];
  let size = 0;
  let worker: WorkerHashes | null = null;

  return {
    update(chunk: Buffer): void {
      sha256.update(chunk);
      size += chunk.length;
      if (inline) {
        if (size <= INLINE_LIMIT) {
          inline.md5.update(chunk);
          inline.sha1.update(chunk);
          early.push(chunk);
          return;
        }
        inline = null;
        worker = new WorkerHashes();
        for (const b of early) worker.update(b);
        early = [];
      }
      worker!.update(chunk);
    },
    hasRoom(): boolean {
      return !worker || worker.hasRoom();
    },
    async ready(): Promise<void> {
      if (worker) await worker.room();
    },
    async finish(): Promise<StreamDigest> {
      const hex = sha256.digest('hex');
      if (inline) {
        early = [];
        return { sha256: hex, md5: inline.md5.digest('hex'), sha1: inline.sha1.digest('hex'), size };
      }
      const rest = await worker!.finish();
      return { sha256: hex, md5: rest.md5, sha1: rest.sha1, size };
    },
    cancel(): void {
      early = [];
      worker?.cancel();
    },
  };
}
