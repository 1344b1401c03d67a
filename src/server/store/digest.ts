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
  finish(): Promise<StreamDigest>;
  /** Drops the state without computing anything. */
  cancel(): void;
}

// md5 and sha1 together run at roughly a third of sha256's speed with SHA extensions, so they
// go to one shared worker thread and the request thread only does sha256 and the disk write.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'data') {
    let h = open.get(m.id);
    if (!h) { h = [crypto.createHash('md5'), crypto.createHash('sha1')]; open.set(m.id, h); }
    const b = Buffer.from(m.buf, m.off, m.len);
    h[0].update(b); h[1].update(b);
  } else if (m.type === 'end') {
    const h = open.get(m.id) ?? [crypto.createHash('md5'), crypto.createHash('sha1')];
    open.delete(m.id);
    parentPort.postMessage({ id: m.id, md5: h[0].digest('hex'), sha1: h[1].digest('hex') });
  } else if (m.type === 'cancel') {
    open.delete(m.id);
  }
});`;

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, (d: { md5: string; sha1: string }) => void>();
const INLINE_LIMIT = 4 * 1024 * 1024;

function sharedWorker(): Worker {
  if (!worker) {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: number; md5: string; sha1: string }) => {
      waiting.get(m.id)?.(m);
      waiting.delete(m.id);
    });
    worker.on('error', () => {
      worker = null;
    });
  }
  return worker;
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
  let id = 0;

  const send = (chunk: Buffer): void => {
    const copy = new Uint8Array(chunk.byteLength);
    copy.set(chunk);
    sharedWorker().postMessage({ type: 'data', id, buf: copy.buffer, off: 0, len: copy.byteLength }, [
      copy.buffer,
    ]);
  };

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
        id = nextId++;
        for (const b of early) send(b);
        early = [];
      }
      send(chunk);
    },
    async finish(): Promise<StreamDigest> {
      const hex = sha256.digest('hex');
      if (inline) {
        early = [];
        return { sha256: hex, md5: inline.md5.digest('hex'), sha1: inline.sha1.digest('hex'), size };
      }
      const rest = await new Promise<{ md5: string; sha1: string }>((resolve) => {
        waiting.set(id, resolve);
        sharedWorker().postMessage({ type: 'end', id });
      });
      return { sha256: hex, md5: rest.md5, sha1: rest.sha1, size };
    },
    cancel(): void {
      early = [];
      if (!inline && worker) worker.postMessage({ type: 'cancel', id });
    },
  };
}
