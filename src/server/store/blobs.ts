import type { Readable } from 'node:stream';

/** The checksums and size of a stored blob. */
export interface BlobDigest {
  sha256: string;
  md5: string;
  sha1: string;
  /** Not computed on upload; null. */
  sha512: string | null;
  size: number;
}

/** Bytes received into staging but not yet part of the store: commit or discard them. */
export interface StagedBlob extends BlobDigest {
  /** Moves the bytes to their content address (idempotent: the same bytes may already be there). */
  commit(): Promise<void>;
  /** Removes the staged bytes. */
  discard(): Promise<void>;
}

/** A byte range, inclusive at both ends, as HTTP Range gives it. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a presigned download link carries besides the blob. */
export interface DownloadLinkOptions {
  /** The file name the browser saves it under (Content-Disposition). */
  filename: string;
  /** Seconds the link works. */
  expiresInSeconds: number;
}

/**
 * Content-addressed blob storage: blobs are named by their sha256, so a copy or a move of a
 * package is a metadata operation. Implemented on the local disk (fs-blob-store.ts) and on an
 * S3-compatible bucket (s3-blob-store.ts). No method hands out a local path: callers stream
 * bytes in and out, so the same code runs on one machine and on several sharing a bucket.
 */
export interface BlobStore {
  /** What the store is, for logs and errors (a directory or `s3://bucket`). */
  readonly description: string;
  /**
   * True when one running service owns the store (a local data directory): at start, anything
   * a previous run left half-done is known to be dead. False when several processes share it.
   */
  readonly exclusive: boolean;
  /** Checks at start that the store is reachable and usable; throws naming the setting when not. */
  check(): Promise<void>;
  /**
   * Drops what interrupted requests left in staging: everything when {@link exclusive}, else only
   * what is older than `olderThan` (no live request stages for that long).
   */
  clearStaging(olderThan: Date): Promise<void>;
  /** Streams `source` into staging while hashing; fails past `maxBytes` without keeping anything. */
  stage(source: Readable, maxBytes: number): Promise<StagedBlob>;
  /** Opens a committed blob for reading, whole or a range. */
  read(sha256: string, range?: ByteRange): Promise<Readable>;
  /** True when the blob is committed. */
  has(sha256: string): Promise<boolean>;
  /**
   * Gives the committed blob a second name, `file`, without copying its bytes (a hard link), for
   * a reader that needs a path it owns; false when this store cannot (bytes elsewhere, another
   * file system), and the caller copies them instead. The link keeps the bytes readable after
   * the blob is removed, until the link is removed too. Optional: stores without files lack it.
   */
  linkTo?(sha256: string, file: string): Promise<boolean>;
  /** Deletes a committed blob (no error when it is absent). */
  remove(sha256: string): Promise<void>;
  /**
   * Stores one part of a multipart upload (a part stored again replaces the earlier one, whole:
   * a reader sees the old part or the new one). Fails past `maxBytes` keeping the earlier part.
   * Resolves with the part's size.
   */
  stagePart(uploadId: string, partNumber: number, source: Readable, maxBytes: number): Promise<number>;
  /** Streams the given parts, in the order given, into one staged blob (multipart completion). */
  concatParts(uploadId: string, partNumbers: readonly number[], maxBytes: number): Promise<StagedBlob>;
  /** Removes every part of an upload (no error when it has none). */
  removeParts(uploadId: string): Promise<void>;
  /**
   * A URL the client may fetch the blob from directly for a while, or null when the store
   * serves its bytes only through the service.
   */
  downloadLink(sha256: string, options: DownloadLinkOptions): Promise<string | null>;
}

/** Raised when a stream exceeds the size allowed for it. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Body exceeds the limit of ${limit} bytes.`);
    this.name = 'TooLargeError';
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const UPLOAD_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Throws unless `sha256` is a lower-case hex sha256 digest (blob names are built from it). */
export function checkSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new Error(`Not a sha256 digest: ${sha256}`);
}

/** Throws unless `uploadId` and `partNumber` can name a part (they become a path or a key). */
export function checkPartName(uploadId: string, partNumber?: number): void {
  if (!UPLOAD_ID.test(uploadId)) throw new Error(`Bad upload id: ${uploadId}`);
  if (partNumber !== undefined && (!Number.isInteger(partNumber) || partNumber < 1)) {
    throw new Error(`Bad part number: ${partNumber}`);
  }
}
