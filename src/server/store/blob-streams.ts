import { Transform, type TransformCallback } from 'node:stream';
import { TooLargeError } from './blobs.js';
import { noteSpentBuffers } from '../young-generation.js';
import { createDigester, type Digester, type StreamDigest } from './digest.js';

/**
 * What the limiters buffer: a few network chunks. Bytes held in streams wait longer for the
 * disk and survive more young-generation collections; chunks that survive two are only freed by
 * a full collection, which grows the resident set of an upload by tens of MiB.
 */
const BUFFERED = 64 * 1024;

/**
 * Counts the bytes passing through and fails the stream with TooLargeError past `maxBytes`,
 * before the byte that crosses it reaches the sink.
 */
export class ByteLimiter extends Transform {
  /** Bytes passed so far. */
  seen = 0;

  constructor(private readonly maxBytes: number) {
    super({ highWaterMark: BUFFERED });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    noteSpentBuffers(chunk.length);
    if (this.seen > this.maxBytes) done(new TooLargeError(this.maxBytes));
    else this.admit(chunk, done);
  }

  /** Passes a chunk on; subclasses look at it first. */
  protected admit(chunk: Buffer, done: TransformCallback): void {
    done(null, chunk);
  }
}

/** A {@link ByteLimiter} that also computes sha256, sha1 and md5 of what passes. */
export class HashingLimiter extends ByteLimiter {
  private readonly digester: Digester = createDigester();

  protected override admit(chunk: Buffer, done: TransformCallback): void {
    this.digester.update(chunk);
    if (this.digester.hasRoom()) return done(null, chunk);
    // Waits while the hashing thread is far behind, so a fast sender is slowed to its pace.
    this.digester.ready().then(() => done(null, chunk), done);
  }

  /** The digests of everything that passed; call once, after the stream ended. */
  digest(): Promise<StreamDigest> {
    return this.digester.finish();
  }

  /** Drops the hashing state of a stream that failed. */
  cancel(): void {
    this.digester.cancel();
  }
}

/** One readable of several sources in turn; each is opened only when the previous one ended. */
export async function* concatenate(
  sources: readonly (() => Promise<AsyncIterable<Buffer>>)[],
): AsyncGenerator<Buffer> {
  for (const open of sources) yield* await open();
}
