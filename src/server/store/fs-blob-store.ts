import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { BlobStore, ByteRange, StagedBlob } from './blobs.js';
import { checkPartName, checkSha256 } from './blobs.js';
import { concatenate } from './blob-streams.js';
import { createDigester } from './digest.js';
import { writeFileFrom } from './file-writer.js';
import { ioCounts } from './io-counters.js';
import { resolveInside } from './safe-path.js';

/** Marks a part file still being written (see writeFileDurably). */
const PART_TMP = '.tmp-';
/** Reads of stored parts: big enough that per-chunk work stays cheap. */
const CHUNK = 1024 * 1024;

async function fsyncPath(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r');
  try {
    await handle.sync();
    ioCounts.fileSyncs++;
  } finally {
    await handle.close();
  }
}

/** The parent of every directory from `first` (the outermost one made) down to `last`. */
function parentsOfNew(first: string, last: string): string[] {
  const parents: string[] = [];
  for (let dir = last; ; dir = path.dirname(dir)) {
    parents.push(path.dirname(dir));
    if (dir === first || path.dirname(dir) === dir) return parents;
  }
}

/**
 * Blobs on the local disk: `blobs/ab/cd/<sha256>`, staged under `tmp/` and renamed into place
 * after an fsync, so a crash leaves either the whole blob or nothing at its address. Upload
 * parts live under `parts/<upload>/<n>`, written the same durable way.
 */
export class FsBlobStore implements BlobStore {
  readonly exclusive = true;
  readonly description: string;
  private readonly blobDir: string;
  private readonly tmpDir: string;
  private readonly partsDir: string;

  constructor(root: string) {
    this.description = path.resolve(root);
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');
    this.partsDir = path.join(root, 'parts');
    for (const dir of [this.blobDir, this.tmpDir, this.partsDir]) fs.mkdirSync(dir, { recursive: true });
  }

  async check(): Promise<void> {
    await fsp.access(this.blobDir, fs.constants.W_OK);
  }

  /**
   * Empties the staging area and drops half-written upload parts: the data directory belongs to
   * one running service, so staged bytes of a previous run can never be committed. (Whole parts
   * stay: their upload may still be completed.)
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
    checkSha256(sha256);
    return resolveInside(this.blobDir, path.join(sha256.slice(0, 2), sha256.slice(2, 4), sha256));
  }

  private partPath(uploadId: string, partNumber: number): string {
    checkPartName(uploadId, partNumber);
    return resolveInside(this.partsDir, path.join(uploadId, String(partNumber)));
  }

  async stage(source: Readable, maxBytes: number): Promise<StagedBlob> {
    const tmp = path.join(this.tmpDir, crypto.randomBytes(12).toString('hex'));
    const digester = createDigester();
    // Synced before it resolves; on failure it removes the file and cancels the digester.
    await writeFileFrom(source, tmp, maxBytes, digester);
    const digest = await digester.finish();
    const target = this.blobPath(digest.sha256);
    let settled = false;
    return {
      ...digest,
      sha512: null,
      async commit(): Promise<void> {
        if (settled) return;
        const dir = path.dirname(target);
        const created = await fsp.mkdir(dir, { recursive: true });
        // Same address, same bytes: renaming over an existing blob (an orphan of a crash, or a
        // concurrent upload of the same content) is harmless.
        await fsp.rename(tmp, target);
        settled = true;
        // A directory made just now is named in its parent: that entry must be on the disk too,
        // or a crash of the machine could lose the blob with it. The syncs run at once: the
        // file system commits its journal once for all of them.
        await Promise.all([dir, ...(created ? parentsOfNew(created, dir) : [])].map(fsyncPath));
      },
      async discard(): Promise<void> {
        if (settled) return;
        settled = true;
        await fsp.rm(tmp, { force: true });
      },
    };
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const handle = await fsp.open(this.blobPath(sha256), 'r');
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

  async linkTo(sha256: string, file: string): Promise<boolean> {
    try {
      await fsp.link(this.blobPath(sha256), file);
      return true;
    } catch (err) {
      // Another file system, or one without hard links: the caller copies the bytes.
      const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : null;
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') return false;
      throw err;
    }
  }

  async remove(sha256: string): Promise<void> {
    await fsp.rm(this.blobPath(sha256), { force: true });
  }

  async stagePart(uploadId: string, partNumber: number, source: Readable, maxBytes: number): Promise<number> {
    const file = this.partPath(uploadId, partNumber);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    return writeFileDurably(source, file, maxBytes);
  }

  async concatParts(uploadId: string, partNumbers: readonly number[], maxBytes: number): Promise<StagedBlob> {
    const files = partNumbers.map((n) => this.partPath(uploadId, n));
    return this.stage(
      Readable.from(
        concatenate(files.map((file) => async () => fs.createReadStream(file, { highWaterMark: CHUNK }))),
      ),
      maxBytes,
    );
  }

  async removeParts(uploadId: string): Promise<void> {
    checkPartName(uploadId);
    await fsp.rm(resolveInside(this.partsDir, uploadId), { recursive: true, force: true });
  }

  async downloadLink(): Promise<null> {
    return null;
  }
}

/**
 * Streams `source` into `file` through a temporary sibling, fsyncs it and renames it into place,
 * so `file` is either absent, its previous content, or all of the new bytes. Fails past
 * `maxBytes` (TooLargeError) keeping nothing. Resolves with the number of bytes written.
 */
async function writeFileDurably(source: Readable, file: string, maxBytes: number): Promise<number> {
  const tmp = `${file}${PART_TMP}${crypto.randomBytes(6).toString('hex')}`;
  let size: number;
  try {
    ({ size } = await writeFileFrom(source, tmp, maxBytes));
    await fsp.rename(tmp, file);
    await fsyncPath(path.dirname(file));
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return size;
}
