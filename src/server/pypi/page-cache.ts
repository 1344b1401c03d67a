/**
 * Rendered simple pages and wheels' core metadata, kept in memory by what they were made from.
 * A page's entity tag is a digest of the rows it is rendered from (and of the form), so a page
 * is rendered once per change of its files, pip's revalidations are answered 304 from the tag
 * alone, and every replica derives the same tag without sharing anything. Core metadata is
 * keyed by the sha256 of the wheel it was read from: content-addressed, so it never goes stale.
 */

import crypto from 'node:crypto';
import type { IndexFile, ProjectFiles } from './index.js';
import { API_VERSION } from './render.js';

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

function fileFields(f: IndexFile): string {
  return [
    f.filename,
    f.version,
    f.sha256 ?? '',
    f.size ?? '',
    f.requiresPython ?? '',
    f.coreMetadataSha256 ?? '',
    String(f.yanked),
    f.uploadedAt,
  ].join('\0');
}

function tagOf(parts: Iterable<string>): string {
  const hash = crypto.createHash('sha256');
  for (const part of parts) hash.update(part).update('\n');
  return `"${hash.digest('base64url').slice(0, 27)}"`;
}

/** The entity tag of a project's page in `form`: a digest of every field the page shows. */
export function projectPageTag(project: ProjectFiles, form: 'html' | 'json'): string {
  return tagOf([API_VERSION, form, project.name, project.normalized, ...project.files.map(fileFields)]);
}

/** The entity tag of the project list in `form`. */
export function projectListTag(
  projects: { name: string; normalized: string }[],
  form: 'html' | 'json',
): string {
  return tagOf([API_VERSION, form, ...projects.map((p) => `${p.normalized}\0${p.name}`)]);
}
