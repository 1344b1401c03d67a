import { Transform } from 'node:stream';
import { ExtractFailure, type ExtractLimits, ScanLimitReached } from './types.js';

/** A count written the way the limits are documented: `100,000`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A byte count in MiB when it is a whole number of them, else in bytes. */
export function formatBytes(n: number): string {
  const mib = 1024 * 1024;
  return n % mib === 0 ? `${formatCount(n / mib)} MiB` : `${formatCount(n)} bytes`;
}

/** Counts the work one extraction has done across every nesting level and stops it at the limits. */
export class Budget {
  private bytes = 0;
  private entries = 0;
  private manifestBytes = 0;

  constructor(readonly limits: ExtractLimits) {}

  /** Counts one archive entry; `where` names the archive for the error message. */
  addEntry(where: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries)
      throw new ExtractFailure(
        `${where}: more than ${this.limits.maxEntries} archive entries in total (maxEntries); refusing to go on.`,
      );
  }

  /** Checks that `count` more entries still fit, without counting them (a zip declares its count up front). */
  checkEntriesFit(count: number, where: string): void {
    if (this.entries + count > this.limits.maxEntries)
      throw new ExtractFailure(
        `${where}: declares ${count} entries, more than the ${this.limits.maxEntries} allowed (maxEntries).`,
      );
  }

  /**
   * Counts the bytes of a manifest about to be parsed; throws ScanLimitReached when they would
   * pass `maxManifestBytes`, so the scan stops with what it already has.
   */
  addManifestBytes(count: number): void {
    if (this.manifestBytes + count > this.limits.maxManifestBytes)
      throw new ScanLimitReached(`bytes of manifests parsed (${formatBytes(this.limits.maxManifestBytes)})`);
    this.manifestBytes += count;
  }

  /** Counts bytes read out of an archive. */
  addBytes(count: number, where: string): void {
    this.bytes += count;
    if (this.bytes > this.limits.maxTotalBytes)
      throw new ExtractFailure(
        `${where}: more than ${this.limits.maxTotalBytes} uncompressed bytes in total (maxTotalBytes); possible decompression bomb.`,
      );
  }
}

/**
 * Watches one decompression: fails once the inflated size passes the grace allowance and is
 * more than `maxRatio` times the compressed bytes consumed so far.
 */
export class RatioGuard {
  private inflated = 0;
  /** Compressed bytes consumed so far (a zip entry sets its whole compressed size up front). */
  compressed = 0;

  constructor(
    private readonly limits: ExtractLimits,
    private readonly where: string,
  ) {}

  /** Records inflated bytes and checks the ratio. */
  addInflated(count: number): void {
    this.inflated += count;
    if (this.inflated <= this.limits.ratioGraceBytes) return;
    if (this.inflated > Math.max(this.compressed, 1) * this.limits.maxRatio)
      throw new ExtractFailure(
        `${this.where}: inflates more than ${this.limits.maxRatio} times its compressed size (maxRatio); possible decompression bomb.`,
      );
  }
}

/** A pass-through stream that hands every chunk's length to `onBytes` (which may throw to stop the stream). */
export function countBytes(onBytes: (count: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        onBytes(chunk.length);
        callback(null, chunk);
      } catch (error) {
        callback(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });
}

/** Reads a stream into memory, failing once it passes `maxBytes`. */
export async function readBounded(
  stream: AsyncIterable<Buffer>,
  maxBytes: number,
  where: string,
  onChunk?: (count: number) => void,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    onChunk?.(chunk.length);
    size += chunk.length;
    if (size > maxBytes)
      throw new ExtractFailure(
        `${where}: larger than ${maxBytes} bytes (maxEntryBytes); refusing to read it.`,
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
