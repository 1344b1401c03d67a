import fs from 'node:fs';
import { dbOf, type DbSource } from '../../store/source.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../../domain/ids.js';
import type { Db } from '../../store/db.js';
import { enqueueRescans } from '../rescan.js';
import { fileSha256, verifyOsvArchive } from './archive.js';
import { downloadArchive } from './download.js';
import { getFeed, recordFeedChecked, recordFeedFailed, redactSource } from './feeds.js';
import type { ImportResult } from './import.js';
import { importIntoFeeds } from './import-feed.js';

/** The ecosystems synced when none are named: those whose versions Airlock orders. */
export const DEFAULT_SYNC_ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io'];

/** Seconds a sync waits for a stalled server before that ecosystem fails. */
export const DEFAULT_SYNC_TIMEOUT_MS = 60_000;

/** Largest archive a sync accepts (OSV's largest per-ecosystem archive is a few hundred MiB). */
export const DEFAULT_MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024;

/** Progress of a sync, for a terminal's progress line. */
export interface SyncProgress {
  ecosystem: string;
  phase: 'download' | 'verify' | 'import';
  bytes?: number;
  total?: number | null;
}

/** Options of {@link syncAdvisories}. */
export interface SyncOptions {
  /** An `http(s)://` base URL, a `file://` URL or a folder, laid out as `<ecosystem>/all.zip`. */
  source: string;
  ecosystems: string[];
  clock: Clock;
  timeoutMs?: number;
  maxBytes?: number;
  /** Folder for temporary downloads (default: the system's). */
  tmpDir?: string;
  /** Aborts the sync (a service shutting down); the ecosystem in progress keeps its old data. */
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
}

/** What a sync did for one ecosystem. */
export interface EcosystemSync {
  ecosystem: string;
  outcome: 'updated' | 'unchanged' | 'failed';
  /** Where the archive was looked for (credentials removed). */
  location: string;
  /** Why it failed, for `failed`. */
  error?: string;
  import?: ImportResult;
  /** Packages queued for a rescan because a changed advisory touches one of their components. */
  rescans: number;
}

/**
 * Checks a sync source and says whether it is remote: `http(s)://…` is, `file://…` and plain
 * folders are not. Throws an error naming the source for anything else.
 */
export function checkSyncSource(source: string): 'remote' | 'local' {
  if (/^https?:\/\//i.test(source)) {
    try {
      new URL(source);
    } catch {
      throw new Error(`advisory source '${redactSource(source)}' is not a valid URL.`);
    }
    return 'remote';
  }
  if (/^file:\/\//i.test(source)) return 'local';
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) {
    throw new Error(
      `advisory source '${redactSource(source)}' must be an http(s):// URL, a file:// URL or a folder.`,
    );
  }
  return 'local';
}

/** Where an ecosystem's archive is under a source: a URL, or a local path. */
export function archiveLocation(source: string, ecosystem: string): string {
  if (checkSyncSource(source) === 'remote') {
    return `${source.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
  }
  const folder = /^file:\/\//i.test(source) ? fileURLToPath(source) : path.resolve(source);
  return path.join(folder, ecosystem, 'all.zip');
}

/**
 * Syncs one ecosystem: fetches `{source}/{ecosystem}/all.zip` (conditionally, when the feed
 * holds validators from the same source), checks it is a zip of OSV documents, and imports it
 * incrementally; an archive identical to the one last imported only counts as checked. Any
 * failure keeps the data that was there, is recorded on the feed row (`last_error`) and is
 * returned, not thrown — except an abort, which is rethrown.
 */
export async function syncEcosystem(
  source: DbSource,
  ecosystem: string,
  options: SyncOptions,
): Promise<EcosystemSync> {
  const db = dbOf(source);
  const location = archiveLocation(options.source, ecosystem);
  const shown = redactSource(location);
  const remote = checkSyncSource(options.source) === 'remote';
  const feed = await getFeed(db, ecosystem);
  const holdsData = !!feed && feed.advisory_count > 0 && feed.archive_sha256 !== null;
  let cleanup = (): void => undefined;
  try {
    let file = location;
    let sha256: string;
    let etag: string | null = null;
    let lastModified: string | null = null;
    if (remote) {
      const sameSource = holdsData && feed.source === shown;
      const download = await downloadArchive(location, {
        ...(sameSource ? { etag: feed.etag, lastModified: feed.last_modified } : {}),
        timeoutMs: options.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_ARCHIVE_BYTES,
        ...(options.tmpDir ? { tmpDir: options.tmpDir } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (bytes, total) => options.onProgress?.({ ecosystem, phase: 'download', bytes, total }),
      });
      if (download.kind === 'not-modified') {
        await recordFeedChecked(db, ecosystem, options.clock(), download);
        return { ecosystem, outcome: 'unchanged', location: shown, rescans: 0 };
      }
      cleanup = download.cleanup;
      ({ file, sha256, etag, lastModified } = download);
    } else {
      if (!fs.existsSync(location)) throw new Error(`no archive at ${location}`);
      sha256 = await fileSha256(location);
    }
    if (holdsData && feed.archive_sha256 === sha256) {
      await recordFeedChecked(db, ecosystem, options.clock(), { etag, lastModified });
      return { ecosystem, outcome: 'unchanged', location: shown, rescans: 0 };
    }
    options.onProgress?.({ ecosystem, phase: 'verify' });
    await verifyOsvArchive(file, options.signal);
    options.onProgress?.({ ecosystem, phase: 'import' });
    const imported = await importIntoFeeds(db, file, {
      clock: options.clock,
      ecosystem,
      source: shown,
      sourceLabel: shown,
      sha256,
      etag,
      lastModified,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (imported.kind === 'unchanged') {
      return { ecosystem, outcome: 'unchanged', location: shown, rescans: 0 };
    }
    const rescans = await enqueueRescans(db, imported.result.touched, options.clock());
    return { ecosystem, outcome: 'updated', location: shown, import: imported.result, rescans };
  } catch (err) {
    if (options.signal?.aborted) throw err;
    const error = `${shown}: ${err instanceof Error ? err.message : String(err)}`;
    await recordFeedFailed(db, ecosystem, options.clock(), error);
    return { ecosystem, outcome: 'failed', location: shown, error, rescans: 0 };
  } finally {
    cleanup();
  }
}

/** Syncs each of `options.ecosystems` in turn (one failing does not stop the others). */
export async function syncAdvisories(db: Db, options: SyncOptions): Promise<EcosystemSync[]> {
  const out: EcosystemSync[] = [];
  for (const ecosystem of options.ecosystems) {
    options.signal?.throwIfAborted();
    out.push(await syncEcosystem(db, ecosystem, options));
  }
  return out;
}
