import crypto from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { redactSource } from './feeds.js';

/** Options of {@link downloadArchive}. */
export interface DownloadOptions {
  /** Validators of the copy held, sent as If-None-Match / If-Modified-Since. */
  etag?: string | null;
  lastModified?: string | null;
  /** Longest wait for the response, and then between two pieces of the body. */
  timeoutMs: number;
  /** Largest archive accepted, in bytes. */
  maxBytes: number;
  /** Folder for the temporary file (default: the system's). */
  tmpDir?: string;
  signal?: AbortSignal;
  /** Called as bytes arrive; `total` is null when the server did not say. */
  onProgress?: (bytes: number, total: number | null) => void;
}

/** The outcome of {@link downloadArchive}: not modified, or a temporary file the caller removes with `cleanup()`. */
export type Download =
  | { kind: 'not-modified'; etag: string | null; lastModified: string | null }
  | {
      kind: 'downloaded';
      file: string;
      sha256: string;
      bytes: number;
      etag: string | null;
      lastModified: string | null;
      cleanup(): void;
    };

const MAX_REDIRECTS = 5;

function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : null;
  const code = cause && 'code' in cause ? String(cause.code) : '';
  return cause ? `${err.message}: ${code ? `${code} ` : ''}${cause.message}`.trim() : err.message;
}

/**
 * Downloads an archive over HTTP(S) to a temporary file, streaming (never the whole archive in
 * memory) and hashing it on the way. Sends the held validators so an unchanged archive costs a
 * 304; follows at most five redirects and never from HTTPS to HTTP; fails when the server
 * stalls longer than `timeoutMs`, answers anything but 200/304, sends more than `maxBytes` or
 * fewer bytes than its Content-Length.
 */
export async function downloadArchive(url: string, options: DownloadOptions): Promise<Download> {
  const controller = new AbortController();
  const seconds = options.timeoutMs / 1000;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
  };
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let dir: string | null = null;
  const cleanup = (): void => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  };
  try {
    arm();
    // A mirror's credentials in the URL become a Basic header (fetch refuses them in the URL),
    // and are dropped when a redirect leaves the host.
    const first = new URL(url);
    const auth = first.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(first.username)}:${decodeURIComponent(first.password)}`).toString('base64')}`
      : null;
    first.username = '';
    first.password = '';
    let target = first.toString();
    let res: Response;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'User-Agent': 'airlock-advisory-sync' };
      if (auth && new URL(target).host === first.host) headers.Authorization = auth;
      if (options.etag) headers['If-None-Match'] = options.etag;
      if (options.lastModified) headers['If-Modified-Since'] = options.lastModified;
      res = await fetch(target, { headers, redirect: 'manual', signal: controller.signal });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) break;
      await res.body?.cancel();
      const next = new URL(location, target);
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      if (new URL(target).protocol === 'https:' && next.protocol !== 'https:') {
        throw new Error(`refused a redirect from HTTPS to ${redactSource(next.toString())}`);
      }
      target = next.toString();
    }
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    if (res.status === 304) {
      await res.body?.cancel();
      return { kind: 'not-modified', etag, lastModified };
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      throw new Error(`the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const lengthHeader = res.headers.get('content-length');
    const total = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
    if (total !== null && total > options.maxBytes) {
      await res.body.cancel();
      throw new Error(`the archive is ${total} bytes, more than the ${options.maxBytes} allowed`);
    }
    dir = fs.mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'airlock-advisories-'));
    const file = path.join(dir, 'all.zip');
    const out = fs.createWriteStream(file);
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        arm();
        bytes += chunk.length;
        if (bytes > options.maxBytes)
          throw new Error(`the archive is more than the ${options.maxBytes} bytes allowed`);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
        options.onProgress?.(bytes, total);
      }
    } finally {
      out.end();
      await finished(out).catch(() => undefined);
    }
    if (total !== null && bytes !== total) {
      throw new Error(`the download was truncated: ${bytes} of ${total} bytes`);
    }
    const kept = dir;
    dir = null;
    return {
      kind: 'downloaded',
      file,
      sha256: hash.digest('hex'),
      bytes,
      etag,
      lastModified,
      cleanup: () => fs.rmSync(kept, { recursive: true, force: true }),
    };
  } catch (err) {
    cleanup();
    if (timedOut) throw new Error(`no answer from the server for ${seconds} s (timed out)`);
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : err;
    throw new Error(describeFailure(err));
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
