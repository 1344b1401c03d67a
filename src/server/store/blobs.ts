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

/**
 * Content-addressed blob storage: blobs are named by their sha256, so a copy or a move of a
 * package is a metadata operation. Implemented on the local disk (fs-blob-store.ts); S3 follows
 * the same interface.
 */
export interface BlobStore {
  /** Streams `source` into staging while hashing; fails past `maxBytes` without keeping anything. */
  stage(source: Readable, maxBytes: number): Promise<StagedBlob>;
  /** Streams a staged-or-committed sequence of parts into one staged blob (multipart completion). */
  stageConcat(parts: Readable[], maxBytes: number): Promise<StagedBlob>;
  /** Opens a committed blob for reading, whole or a range. */
  read(sha256: string, range?: ByteRange): Promise<Readable>;
  /** True when the blob is committed. */
  has(sha256: string): Promise<boolean>;
  /** Deletes a committed blob (no error when it is absent). */
  remove(sha256: string): Promise<void>;
  /** Scratch space for upload parts: a writable file path for one part, and its removal. */
  partPath(uploadId: string, partNumber: number): string;
  /** Removes every part file of an upload. */
  removeParts(uploadId: string): Promise<void>;
}

/** Raised when a stream exceeds the size allowed for it. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Body exceeds the limit of ${limit} bytes.`);
    this.name = 'TooLargeError';
  }
}
