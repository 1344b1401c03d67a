import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import type { BlobStore, ByteRange } from '../store/blobs.js';
import { tarBlockEntries } from './tar-blocks.js';

/**
 * Bounds every archive walk obeys, so a hostile upload (a zip bomb, millions of entries, a huge
 * manifest) costs bounded time and memory.
 */
export interface ArchiveLimits {
  /** Most entries an archive may have. */
  maxEntries: number;
  /** Most bytes all entries may expand to, together. */
  maxTotalBytes: number;
  /** Most bytes one entry may have when its content is read into memory. */
  maxEntryBytes: number;
  /** Highest expanded/compressed ratio allowed once past {@link ratioFloorBytes}. */
  maxRatio: number;
  /** Expanded size below which the ratio is not checked (tiny files compress absurdly well). */
  ratioFloorBytes: number;
}

/** Limits for reading package metadata and, by default, for scanning. */
export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 20_000,
  maxTotalBytes: 1024 * 1024 * 1024,
  maxEntryBytes: 16 * 1024 * 1024,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
});

/** Why an archive could not be read. */
export type ArchiveProblem =
  'not_archive' | 'truncated' | 'corrupt' | 'too_many_entries' | 'too_large' | 'ratio';

/** An archive that is not one, is damaged, or breaks a limit; `message` says which in words. */
export class ArchiveError extends Error {
  constructor(
    readonly problem: ArchiveProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/** Random-access bytes of an archive (a blob, a buffer). `range.end` is inclusive. */
export interface ArchiveSource {
  readonly size: number;
  open(range?: ByteRange): Promise<Readable>;
  /** The whole archive, when it is in memory: a walk may then decompress it in one step. */
  readonly bytes?: Buffer;
}

/** An archive source over a committed blob. */
export function blobArchiveSource(blobs: BlobStore, sha256: string, size: number): ArchiveSource {
  return { size, open: (range) => blobs.read(sha256, range) };
}

/** An archive source over bytes in memory. */
export function bufferArchiveSource(bytes: Buffer): ArchiveSource {
  return {
    size: bytes.length,
    bytes,
    async open(range) {
      const part = range ? bytes.subarray(range.start, range.end + 1) : bytes;
      const stream = new PassThrough();
      stream.end(part);
      return stream;
    },
  };
}

/** One entry of an archive, as a walk presents it. */
export interface ArchiveEntry {
  /** Path inside the archive, without a leading `./` or `/`. */
  path: string;
  kind: 'file' | 'directory' | 'link' | 'other';
  /** Declared size in bytes. */
  size: number;
  /** Reads the whole entry (at most `maxEntryBytes`, or the given smaller bound). */
  read(maxBytes?: number): Promise<Buffer>;
}

/** Called for every entry in order; return `'stop'` to end the walk early. */
export type EntryVisitor = (entry: ArchiveEntry) => Promise<void | 'stop'> | void | 'stop';

/** The container kinds {@link walkArchive} understands. */
export type ArchiveKind = 'tar.gz' | 'tar' | 'zip';

/** Tells the container kind from the first bytes, or null when it is none of them. */
export async function sniffArchive(source: ArchiveSource): Promise<ArchiveKind | null> {
  if (source.size < 4) return null;
  const head = await readAll(await source.open({ start: 0, end: Math.min(source.size, 263) - 1 }), 263);
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50) return 'zip';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return null;
}

/** Walks a tar.gz, plain tar or zip archive, whichever it is; `not_archive` when it is none. */
export async function walkArchive(
  source: ArchiveSource,
  visit: EntryVisitor,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveKind> {
  const kind = await sniffArchive(source);
  if (kind === 'zip') await walkZip(source, visit, limits);
  else if (kind) await walkTar(source, visit, limits, kind === 'tar.gz');
  else throw new ArchiveError('not_archive', 'is not an archive (neither gzip-compressed tar, tar nor zip)');
  return kind;
}

/** Reads a stream to the end into one buffer, failing past `maxBytes`. */
export async function readAll(stream: Readable, maxBytes: number, what = 'entry'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      stream.destroy();
      throw new ArchiveError('too_large', `${what} is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Carries a visitor's own failure past the archive-error translation unchanged. */
class VisitorError extends Error {
  constructor(override readonly cause: unknown) {
    super('visitor failed');
  }
}

async function callVisitor(visit: EntryVisitor, entry: ArchiveEntry): Promise<void | 'stop'> {
  try {
    return await visit(entry);
  } catch (err) {
    throw new VisitorError(err);
  }
}

function cleanPath(name: string): string {
  return name.replace(/^(?:\.\/|\/)+/, '');
}

/** Counts bytes flowing through. */
class Counter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/** Enforces the expanded-size and ratio limits on decompressed bytes. */
class ExpansionGuard extends Transform {
  private out = 0;
  constructor(
    private readonly compressed: Counter | null,
    private readonly limits: ArchiveLimits,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.out += chunk.length;
    if (this.out > this.limits.maxTotalBytes) {
      done(new ArchiveError('too_large', `expands to more than ${this.limits.maxTotalBytes} bytes`));
      return;
    }
    const packed = this.compressed?.bytes ?? 0;
    if (
      this.compressed &&
      this.out > this.limits.ratioFloorBytes &&
      this.out > packed * this.limits.maxRatio
    ) {
      done(new ArchiveError('ratio', `expands more than ${this.limits.maxRatio} times its compressed size`));
      return;
    }
    done(null, chunk);
  }
}

function tarError(err: unknown, gzipped: boolean): ArchiveError {
  if (err instanceof ArchiveError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) {
    return new ArchiveError('truncated', 'is truncated (the archive ends before its last entry does)');
  }
  if (code === 'Z_DATA_ERROR') return new ArchiveError('corrupt', `is not valid gzip data (${message})`);
  if (/invalid tar header/i.test(message)) {
    return new ArchiveError(
      'not_archive',
      gzipped ? 'is gzip-compressed but does not contain a tar archive' : 'is not a valid tar archive',
    );
  }
  return new ArchiveError('corrupt', `could not be read (${message})`);
}

const TAR_KINDS: Record<string, ArchiveEntry['kind']> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  link: 'link',
  symlink: 'link',
};

/**
 * Expanded size up to which a gzip-compressed archive held in memory is decompressed in one task
 * of the thread pool rather than streamed: a stream hands every 16 KiB to the pool and back, and
 * each hand-over waits behind whatever file syncs hold the pool's threads (a publish's metadata
 * read took milliseconds of waiting for microseconds of work). Larger ones are streamed.
 */
const ONE_STEP_EXPANDED_BYTES = 32 * 1024 * 1024;

/**
 * Bounds of the output chunk of the one-step decompression: zlib hands each chunk back to the
 * event loop and goes to the pool again for the next (16 KiB by default, thirty-odd round trips
 * for a 500 KiB tarball), so a chunk sized for the whole expanded archive of a typical tarball
 * makes it one or two.
 */
const GUNZIP_CHUNK_BYTES = { min: 64 * 1024, max: 4 * 1024 * 1024, perCompressedByte: 6 };

const gunzipWhole = promisify(zlib.gunzip) as (bytes: Buffer, options: zlib.ZlibOptions) => Promise<Buffer>;

/**
 * The tar inside gzip-compressed bytes, decompressed in one step, or null when it would expand
 * past {@link ONE_STEP_EXPANDED_BYTES} or past what `limits` allow (the streaming walk then
 * reports which limit). Within the bound neither the total nor the ratio limit can be broken.
 */
async function gunzipInOneStep(bytes: Buffer, limits: ArchiveLimits): Promise<Buffer | null> {
  const ratioBound = Math.max(limits.ratioFloorBytes, bytes.length * limits.maxRatio);
  const bound = Math.min(ONE_STEP_EXPANDED_BYTES, limits.maxTotalBytes, ratioBound);
  try {
    const chunkSize = Math.max(
      zlib.constants.Z_MIN_CHUNK,
      Math.min(
        bound,
        GUNZIP_CHUNK_BYTES.max,
        Math.max(GUNZIP_CHUNK_BYTES.min, bytes.length * GUNZIP_CHUNK_BYTES.perCompressedByte),
      ),
    );
    return await gunzipWhole(bytes, { maxOutputLength: bound, chunkSize });
  } catch (err) {
    // Checked by code, not class: the error may come from another realm (tests run in a VM context).
    const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : null;
    if (code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw err;
  }
}

/** {@link walkTar} over a decompressed tar in memory, with the same limits and errors. */
async function walkTarInMemory(
  archive: Buffer,
  visit: EntryVisitor,
  limits: ArchiveLimits,
  gzipped: boolean,
): Promise<void> {
  let count = 0;
  try {
    for (const entry of tarBlockEntries(archive)) {
      count += 1;
      if (count > limits.maxEntries) {
        throw new ArchiveError('too_many_entries', `has more than ${limits.maxEntries} entries`);
      }
      const path = cleanPath(entry.name);
      const result = await callVisitor(visit, {
        path,
        kind: TAR_KINDS[entry.type ?? 'file'] ?? 'other',
        size: entry.size,
        read: async (maxBytes) => {
          const bound = Math.min(maxBytes ?? limits.maxEntryBytes, limits.maxEntryBytes);
          if (entry.data.length > bound)
            throw new ArchiveError('too_large', `${path} is larger than ${bound} bytes`);
          // A copy: the caller may keep it, and a view would keep the whole archive alive.
          return Buffer.from(entry.data);
        },
      });
      if (result === 'stop') return;
    }
  } catch (err) {
    if (err instanceof VisitorError) throw err.cause;
    throw tarError(err, gzipped);
  }
}

/** Walks a tar archive, gunzipping it first when `gzipped`, to the end (which verifies it is whole). */
export async function walkTar(
  source: ArchiveSource,
  visit: EntryVisitor,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
  gzipped = true,
): Promise<void> {
  let expanded: Buffer | null = null;
  try {
    if (source.bytes && gzipped) expanded = await gunzipInOneStep(source.bytes, limits);
    else if (source.bytes && source.bytes.length <= limits.maxTotalBytes) expanded = source.bytes;
  } catch (err) {
    throw tarError(err, gzipped);
  }
  if (expanded) return walkTarInMemory(expanded, visit, limits, gzipped);
  const input = await source.open();
  const packed = new Counter();
  const guard = new ExpansionGuard(gzipped ? packed : null, limits);
  const extract = tar.extract();
  const stages: NodeJS.ReadWriteStream[] = gzipped ? [packed, zlib.createGunzip(), guard] : [packed, guard];
  let stopped = false;
  const piping = pipeline([input, ...stages, extract] as unknown as [Readable, NodeJS.WritableStream]).catch(
    (err: unknown) => {
      if (!stopped) throw err;
    },
  );
  // The walk fails through the iterator; this keeps a pipeline error from going unhandled meanwhile.
  piping.catch(() => undefined);
  let count = 0;
  try {
    for await (const entry of extract) {
      count += 1;
      if (count > limits.maxEntries) {
        throw new ArchiveError('too_many_entries', `has more than ${limits.maxEntries} entries`);
      }
      let consumed = false;
      const path = cleanPath(entry.header.name);
      const result = await callVisitor(visit, {
        path,
        kind: TAR_KINDS[entry.header.type ?? 'file'] ?? 'other',
        size: entry.header.size ?? 0,
        read: async (maxBytes) => {
          consumed = true;
          const bound = Math.min(maxBytes ?? limits.maxEntryBytes, limits.maxEntryBytes);
          try {
            return await readAll(entry as unknown as Readable, bound, path);
          } catch (err) {
            throw tarError(err, gzipped);
          }
        },
      });
      if (result === 'stop') {
        stopped = true;
        break;
      }
      if (!consumed) entry.resume();
    }
    await piping;
  } catch (err) {
    input.destroy();
    if (err instanceof VisitorError) throw err.cause;
    throw tarError(err, gzipped);
  } finally {
    if (stopped) input.destroy();
  }
}

/** yauzl's reader over an {@link ArchiveSource} (yauzl wants ranges as synchronous streams). */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: ArchiveSource) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.source.open({ start, end: end - 1 }).then(
      (stream) => {
        stream.on('error', (err) => out.destroy(err));
        stream.pipe(out);
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }
}

function zipError(err: unknown, looksLikeZip: boolean): ArchiveError {
  if (err instanceof ArchiveError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/end of central directory record signature not found/i.test(message)) {
    return looksLikeZip
      ? new ArchiveError('truncated', 'is truncated (the zip central directory is missing)')
      : new ArchiveError('not_archive', 'is not a zip archive');
  }
  if (/unexpected EOF|too many bytes|too few bytes|premature/i.test(message)) {
    return new ArchiveError('truncated', `is truncated (${message})`);
  }
  return new ArchiveError('corrupt', `is not a valid zip archive (${message})`);
}

function openZip(source: ArchiveSource): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      new SourceReader(source),
      source.size,
      { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err ? reject(err) : resolve(zip)),
    );
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** Walks a zip archive through its central directory (so a truncated file fails at once). */
export async function walkZip(
  source: ArchiveSource,
  visit: EntryVisitor,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<void> {
  const looksLikeZip = (await sniffArchive(source)) === 'zip';
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(source);
  } catch (err) {
    throw zipError(err, looksLikeZip);
  }
  // An error between two readEntry() calls must not become an uncaught 'error' event.
  zip.on('error', () => undefined);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ArchiveError('too_many_entries', `has more than ${limits.maxEntries} entries`);
    }
    let total = 0;
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry): void => {
          zip.off('end', onEnd).off('error', onError);
          resolve(e);
        };
        const onEnd = (): void => {
          zip.off('entry', onEntry).off('error', onError);
          resolve(null);
        };
        const onError = (err: Error): void => {
          zip.off('entry', onEntry).off('end', onEnd);
          reject(err);
        };
        zip.once('entry', onEntry).once('end', onEnd).once('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw new ArchiveError('too_large', `expands to more than ${limits.maxTotalBytes} bytes`);
      }
      if (
        entry.uncompressedSize > limits.ratioFloorBytes &&
        entry.uncompressedSize > Math.max(1, entry.compressedSize) * limits.maxRatio
      ) {
        throw new ArchiveError(
          'ratio',
          `entry ${entry.fileName} expands more than ${limits.maxRatio} times its compressed size`,
        );
      }
      const path = cleanPath(entry.fileName);
      const result = await callVisitor(visit, {
        path,
        kind: entry.fileName.endsWith('/') ? 'directory' : 'file',
        size: entry.uncompressedSize,
        read: async (maxBytes) => {
          const bound = Math.min(maxBytes ?? limits.maxEntryBytes, limits.maxEntryBytes);
          if (entry.uncompressedSize > bound) {
            throw new ArchiveError('too_large', `${path} is larger than ${bound} bytes`);
          }
          try {
            return await readAll(await openEntry(zip, entry), bound, path);
          } catch (err) {
            throw zipError(err, looksLikeZip);
          }
        },
      });
      if (result === 'stop') return;
    }
  } catch (err) {
    if (err instanceof VisitorError) throw err.cause;
    throw zipError(err, looksLikeZip);
  } finally {
    zip.close();
  }
}
