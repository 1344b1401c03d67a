import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, ByteRange, StagedBlob } from './blobs.js';
import { TooLargeError } from './blobs.js';
import { createDigester, type Digester } from './digest.js';
import { resolveInside } from './safe-path.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Marks a part file still being written (see writeFileDurably). */
const PART_TMP = '.tmp-';

/** Counts and hashes the bytes passing through, and stops the stream past a size limit. */
class HashingLimiter extends Transform {
  constructor(
    private readonly digester: Digester,
    private readonly maxBytes: number,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }
  private seen = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) {
      done(new TooLargeError(this.maxBytes));
      return;
    }
    this.digester.update(chunk);
    // Waits while the hashing thread is far behind, so a fast sender is slowed to its pace.
    this.digester.ready().then(() => done(null, chunk), done);
  }
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Blobs on the local disk: `blobs/ab/cd/<sha256>`, staged under `tmp/` and renamed into place
 * after an fsync, so a crash leaves either the whole blob or nothing at its address.
 */
export class FsBlobStore implements BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly partsDir: string;

  constructor(root: string) {
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');
    this.partsDir = path.join(root, 'parts');
    for (const dir of [this.blobDir, this.tmpDir, this.partsDir]) fs.mkdirSync(dir, { recursive: true });
  }

  /**
   * Empties the staging area and drops half-written upload parts; staged bytes of a previous
   * process can never be committed. (Whole parts stay: their upload may still be completed.)
   */
  async clearStaging(): Promise<void> {
    for (const entry of await fsp.readdir(this.tmpDir)) {
      await fsp.rm(path.join(this.tmpDir, entry), { force: true, recursive: true });
    }
    for (const upload of await fsp.readdir(this.partsDir)) {
      const dir = path.join(this.partsDir, upload);
      for (const part of await fsp.readdir(dir).catch(() => [])) {
        if (part.includes(PART_TMP)) await fsp.rm(path.join(dir, part), { force: true });
      }
    }
  }

  private blobPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`Not a sha256 digest: ${sha256}`);
    return resolveInside(this.blobDir, path.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256));
  }

  async stage(source: Readable, maxBytes: number): Promise<StagedBlob> {
    return this.stageFrom(async (sink) => pipeline(source, sink.limiter, sink.file), maxBytes);
  }

  async stageConcat(parts: Readable[], maxBytes: number): Promise<StagedBlob> {
    try {
      return await this.stageFrom(
        async (sink) =>
          pipeline(
            async function* concat() {
              for (const part of parts) yield* part;
            },
            sink.limiter,
            sink.file,
          ),
        maxBytes,
      );
    } finally {
      // Parts not reached (after a failure) still hold open files.
      for (const part of parts) part.destroy();
    }
  }

  private async stageFrom(
    write: (sink: { limiter: HashingLimiter; file: fs.WriteStream }) => Promise<void>,
    maxBytes = Number.MAX_SAFE_INTEGER,
  ): Promise<StagedBlob> {
    const tmp = path.join(this.tmpDir, crypto.randomBytes(12).toString('hex'));
    const digester = createDigester();
    const limiter = new HashingLimiter(digester, maxBytes);
    const file = fs.createWriteStream(tmp, { flags: 'wx', highWaterMark: 1024 * 1024 });
    try {
      await write({ limiter, file });
      await fsyncFile(tmp);
    } catch (err) {
      digester.cancel();
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    const digest = await digester.finish();
    const target = this.blobPath(digest.sha256);
    let settled = false;
    return {
      ...digest,
      sha512: null,
      async commit(): Promise<void> {
        if (settled) return;
        settled = true;
        await fsp.mkdir(path.dirname(target), { recursive: true });
        // Same address, same bytes: renaming over an existing blob (an orphan of a crash, or a
        // concurrent upload of the same content) is harmless.
        await fsp.rename(tmp, target);
        await fsyncDir(path.dirname(target));
      },
      async discard(): Promise<void> {
        if (settled) return;
        settled = true;
        await fsp.rm(tmp, { force: true });
      },
    };
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const file = this.blobPath(sha256);
    const handle = await fsp.open(file, 'r');
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await fsp.access(this.blobPath(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async remove(sha256: string): Promise<void> {
    await fsp.rm(this.blobPath(sha256), { force: true });
  }

  partPath(uploadId: string, partNumber: number): string {
    if (!ID.test(uploadId)) throw new Error(`Bad upload id: ${uploadId}`);
    if (!Number.isInteger(partNumber) || partNumber < 1) throw new Error(`Bad part number: ${partNumber}`);
    const dir = resolveInside(this.partsDir, uploadId);
    fs.mkdirSync(dir, { recursive: true });
    return resolveInside(dir, String(partNumber));
  }

  async removeParts(uploadId: string): Promise<void> {
    if (!ID.test(uploadId)) return;
    await fsp.rm(resolveInside(this.partsDir, uploadId), { recursive: true, force: true });
  }
}

/**
 * Streams `source` into `file` through a temporary sibling, fsyncs it and renames it into place,
 * so `file` is either absent, its previous content, or all of the new bytes. Fails past
 * `maxBytes` (TooLargeError) keeping nothing. Resolves with the number of bytes written.
 */
export async function writeFileDurably(source: Readable, file: string, maxBytes: number): Promise<number> {
  const tmp = `${file}${PART_TMP}${crypto.randomBytes(6).toString('hex')}`;
  let size = 0;
  const counter = new Transform({
    highWaterMark: 1024 * 1024,
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) done(new TooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(source, counter, fs.createWriteStream(tmp, { flags: 'wx', highWaterMark: 1024 * 1024 }));
    await fsyncFile(tmp);
    await fsp.rename(tmp, file);
    await fsyncDir(path.dirname(file));
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return size;
}
