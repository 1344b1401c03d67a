import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Transport } from './http.js';
import type { FileUpload, FileUploadRequest } from './types.js';

/** Files larger than this go up in parts by default (the official CLI's 100 MiB). */
export const DEFAULT_MULTIPART_THRESHOLD = 100 * 1024 * 1024;
/** Part size of a multipart upload by default. */
export const DEFAULT_PART_SIZE = 100 * 1024 * 1024;

/** Bytes sent so far, for a progress line. */
export interface UploadProgress {
  filename: string;
  sentBytes: number;
  totalBytes: number;
}

/** Options of {@link uploadFile}. */
export interface UploadOptions {
  /** Name to upload under. Default: the file's base name. */
  filename?: string;
  /** Upload in parts above this size. */
  multipartThreshold?: number;
  partSize?: number;
  /** Called as bytes leave; after a retry the count starts again from that part's beginning. */
  onProgress?: (progress: UploadProgress) => void;
  /**
   * The file's sha256 and size when the caller has read them already (see {@link hashFile}):
   * the file is then read once, to send it, and must still have that size.
   */
  hashed?: FileDigest;
}

/** What a file's bytes hash to. */
export interface FileDigest {
  /** Hex. */
  sha256: string;
  size: number;
}

/** A finished upload: pass `identifier` as `package_file` when creating the package. */
export interface UploadedFile {
  identifier: string;
  filename: string;
  size: number;
  sha256: string;
  parts: number;
}

/** Bytes read per chunk while hashing. */
const HASH_CHUNK_BYTES = 1024 * 1024;

/**
 * The sha256 and size of a file, read in chunks into two buffers it reuses (never whole into
 * memory): the next chunk is read while the last one is hashed.
 */
export async function hashFile(file: string): Promise<FileDigest> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const hash = crypto.createHash('sha256');
    const buffers = [Buffer.allocUnsafe(HASH_CHUNK_BYTES), Buffer.allocUnsafe(HASH_CHUNK_BYTES)];
    let size = 0;
    let reading = handle.read(buffers[0]!, 0, HASH_CHUNK_BYTES, 0);
    for (let i = 0; ; i ^= 1) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      reading = handle.read(buffers[i ^ 1]!, 0, HASH_CHUNK_BYTES, size + bytesRead);
      hash.update(buffers[i]!.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/**
 * Uploads one file: hashes it (unless `hashed` says what it hashes to), requests an upload
 * (`POST /files/{owner}/{repo}/` with its sha256, method `put` or `put_parts`), then sends the
 * bytes from disk with `PUT upload_url` — in parts above the threshold, finished with
 * `POST …/{identifier}/complete/`. A retried PUT reads the file again from its part's first
 * byte; a file whose size changed since it was hashed fails the upload instead of being sent.
 *
 * Only the sha256 is declared (the checksum of PUT uploads): the service verifies the bytes
 * against it before it answers, and also computing an md5 would double the client's CPU per GiB
 * without checking anything the sha256 does not.
 */
export async function uploadFile(
  transport: Transport,
  owner: string,
  repo: string,
  file: string,
  options: UploadOptions = {},
): Promise<UploadedFile> {
  const filename = options.filename ?? path.basename(file);
  const { sha256, size } = options.hashed ?? (await hashFile(file));
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const partSize = Math.max(1, options.partSize ?? DEFAULT_PART_SIZE);
  const multipart = size > threshold;
  const request: FileUploadRequest = {
    filename,
    sha256_checksum: sha256,
    method: multipart ? 'put_parts' : 'put',
  };
  // Requesting an upload slot twice only leaves an unused slot that expires: safe to retry.
  const { data: slot } = await transport.call<FileUpload>({
    method: 'POST',
    path: `/files/${enc(owner)}/${enc(repo)}/`,
    json: request,
    idempotent: true,
  });
  if (!slot?.identifier || !slot.upload_url) {
    throw new Error(`POST /files/${owner}/${repo}/: the answer has no identifier or upload_url.`);
  }
  const headers = { ...(slot.upload_headers ?? {}) };
  const report = (sent: number) => options.onProgress?.({ filename, sentBytes: sent, totalBytes: size });

  if (!multipart) {
    await transport.call({
      method: 'PUT',
      path: withQuery(slot.upload_url, slot.upload_querystring),
      headers,
      body: { file, length: size, fileSize: size, onSent: report },
    });
    return { identifier: slot.identifier, filename, size, sha256, parts: 1 };
  }

  const parts = Math.ceil(size / partSize);
  for (let n = 1; n <= parts; n++) {
    const start = (n - 1) * partSize;
    const end = Math.min(size, start + partSize);
    const url = new URL(withQuery(slot.upload_url, slot.upload_querystring));
    url.searchParams.set('upload_id', slot.identifier);
    url.searchParams.set('part_number', String(n));
    await transport.call({
      method: 'PUT',
      path: url.toString(),
      headers,
      body: { file, start, length: end - start, fileSize: size, onSent: (sent) => report(start + sent) },
    });
  }
  await transport.call({
    method: 'POST',
    path: `/files/${enc(owner)}/${enc(repo)}/${enc(slot.identifier)}/complete/`,
    json: { upload_id: slot.identifier, complete: true },
  });
  return { identifier: slot.identifier, filename, size, sha256, parts };
}

/** The upload URL with the upload query string's parameters added where it does not have them already. */
function withQuery(url: string, querystring: string | null | undefined): string {
  const merged = new URL(url);
  for (const [k, v] of new URLSearchParams(querystring ?? '')) {
    if (!merged.searchParams.has(k)) merged.searchParams.set(k, v);
  }
  return merged.toString();
}
