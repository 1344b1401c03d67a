import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
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
}

/** A finished upload: pass `identifier` as `package_file` when creating the package. */
export interface UploadedFile {
  identifier: string;
  filename: string;
  size: number;
  sha256: string;
  md5: string;
  parts: number;
}

/** sha256 and md5 of a file, read as a stream (never whole into memory). */
export async function hashFile(file: string): Promise<{ sha256: string; md5: string; size: number }> {
  const sha256 = crypto.createHash('sha256');
  const md5 = crypto.createHash('md5');
  let size = 0;
  for await (const chunk of fs.createReadStream(file)) {
    sha256.update(chunk as Buffer);
    md5.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex'), size };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/**
 * Uploads one file: hashes it, requests an upload (`POST /files/{owner}/{repo}/`, method `put`
 * or `put_parts`), then streams the bytes from disk with `PUT upload_url` — in parts above the
 * threshold, finished with `POST …/{identifier}/complete/`. A retried PUT opens the file again.
 */
export async function uploadFile(
  transport: Transport,
  owner: string,
  repo: string,
  file: string,
  options: UploadOptions = {},
): Promise<UploadedFile> {
  const filename = options.filename ?? path.basename(file);
  const { sha256, md5, size } = await hashFile(file);
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const partSize = Math.max(1, options.partSize ?? DEFAULT_PART_SIZE);
  const multipart = size > threshold;
  const request: FileUploadRequest = {
    filename,
    sha256_checksum: sha256,
    md5_checksum: md5,
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
      body: { length: size, open: () => counted(fs.createReadStream(file), 0, report) },
    });
    return { identifier: slot.identifier, filename, size, sha256, md5, parts: 1 };
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
      body: {
        length: end - start,
        open: () => counted(fs.createReadStream(file, { start, end: end - 1 }), start, report),
      },
    });
  }
  await transport.call({
    method: 'POST',
    path: `/files/${enc(owner)}/${enc(repo)}/${enc(slot.identifier)}/complete/`,
    json: { upload_id: slot.identifier, complete: true },
  });
  return { identifier: slot.identifier, filename, size, sha256, md5, parts };
}

/** The upload URL with the upload query string's parameters added where it does not have them already. */
function withQuery(url: string, querystring: string | null | undefined): string {
  const merged = new URL(url);
  for (const [k, v] of new URLSearchParams(querystring ?? '')) {
    if (!merged.searchParams.has(k)) merged.searchParams.set(k, v);
  }
  return merged.toString();
}

/** Passes a file stream through, counting bytes from `offset` for the progress callback. */
function counted(source: Readable, offset: number, report: (sent: number) => void): Readable {
  let sent = offset;
  const through = new PassThrough();
  source.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    report(sent);
  });
  source.on('error', (err) => through.destroy(err));
  through.on('close', () => source.destroy());
  return source.pipe(through);
}
