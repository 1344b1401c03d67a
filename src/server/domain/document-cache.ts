/**
 * Documents the registries serve (npm packuments, Python simple pages) kept in memory as the text
 * they were serialised to, with a gzip beside it, under an entity tag computed from what the
 * document is made of. The tag is derived from rows every replica reads from the shared
 * database on each request, so a change made by any replica gives the next read a new tag (and
 * so a new entry) without anything being shared or invalidated between replicas.
 */

import crypto from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { ServiceContext } from './context.js';

/** A bounded map that forgets the entry used least recently once it holds more than `limit` weight. */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  /** `limit` in the unit `weigh` returns (entries, by default). */
  constructor(
    private readonly limit: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  /** The value under `key`, made with `make` (and kept) when there is none. */
  async getOrMake(key: string, make: () => V | Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = await make();
    this.set(key, value);
    return value;
  }

  /** The value under `key` (now the most recently used), or undefined. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Re-inserted so that Map order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Keeps `value` under `key` (unless it alone outweighs the limit), forgetting the oldest entries to make room. */
  set(key: string, value: V): void {
    const weight = this.weigh(value);
    if (weight > this.limit) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.weight;
    }
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.limit) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
  }

  /** How many entries it holds. */
  get size(): number {
    return this.entries.size;
  }
}

/** A document's text, with its gzip when it is large enough for compression to pay. */
export interface DocumentBody {
  text: string;
  /** Null for small documents and for answers that are not kept (compressed per request, it would not pay). */
  gzipped: Buffer | null;
}

/** A freshly made document, and whether it may be kept under the tag it was asked for. */
export interface MadeDocument {
  text: string;
  /**
   * False when what it was made from changed after the tag was computed (the text is of the
   * newer rows, so keeping it under the older tag would serve it for the wrong state), or when
   * making it had effects that must happen again next time (an audited upstream fetch).
   */
  keep: boolean;
}

/** A quoted strong entity tag: a digest of `parts` (each a line). */
export function entityTag(parts: Iterable<string>): string {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part).update('\n');
  return `"${hash.digest('base64url').slice(0, 32)}"`;
}

// Room for documents in each service: UTF-16 code units of the text, a gzipped byte counting half.
const DOCUMENT_CACHE_UNITS = 48 * 1024 * 1024;
// Below this many characters gzip saves too few bytes to be worth a client's inflating them.
const GZIP_FROM = 1024;
const documentCaches = new WeakMap<ServiceContext, LruCache<DocumentBody>>();
const gzip = promisify(zlib.gzip);

function documentCache(ctx: ServiceContext): LruCache<DocumentBody> {
  let cache = documentCaches.get(ctx);
  if (!cache) {
    cache = new LruCache<DocumentBody>(
      DOCUMENT_CACHE_UNITS,
      (body) => body.text.length + (body.gzipped?.length ?? 0) / 2,
    );
    documentCaches.set(ctx, cache);
  }
  return cache;
}

/**
 * The document kept under `key` (which must hold its entity tag and whatever else, such as the
 * URL it is served at, the text depends on), else the one `make` returns: kept, gzipped once
 * off the event loop, when it may be. With `fresh`, the cache is not asked (the caller must make
 * the document anew, e.g. for the effects of making it).
 */
export async function cachedDocument(
  ctx: ServiceContext,
  key: string,
  make: () => Promise<MadeDocument>,
  fresh = false,
): Promise<DocumentBody> {
  const cache = documentCache(ctx);
  const hit = fresh ? undefined : cache.get(key);
  if (hit !== undefined) return hit;
  const made = await make();
  if (!made.keep) return { text: made.text, gzipped: null };
  const body = { text: made.text, gzipped: made.text.length >= GZIP_FROM ? await gzip(made.text) : null };
  cache.set(key, body);
  return body;
}
