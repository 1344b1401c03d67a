import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../domain/ids.js';
import type { Db } from '../../store/db.js';
import { fileSha256 } from './archive.js';
import { getFeed, recordFeedUpdated } from './feeds.js';
import { importAdvisories, type ImportResult } from './import.js';

/** What importing one path did: either an import, or nothing because the archive had not changed. */
export type FeedImport =
  | { kind: 'imported'; path: string; result: ImportResult; ecosystems: string[] }
  | { kind: 'unchanged'; path: string; ecosystem: string; sha256: string };

/** Options of {@link importIntoFeeds}. */
export interface FeedImportOptions {
  clock: Clock;
  /** The ecosystem the path holds, when known (an `<ecosystem>/all.zip`); else read from the documents. */
  ecosystem?: string;
  /** Where the data came from, stored on the feed row (default: the path). */
  source?: string;
  /** Label stored with each advisory. */
  sourceLabel?: string;
  /** The archive's sha256 when the caller already has it. */
  sha256?: string;
  /** Validators of the download the archive came from. */
  etag?: string | null;
  lastModified?: string | null;
  signal?: AbortSignal;
}

/** The ecosystem an `<ecosystem>/all.zip` path names, or undefined for other paths. */
export function archiveEcosystem(file: string): string | undefined {
  return path.basename(file).toLowerCase() === 'all.zip'
    ? path.basename(path.dirname(path.resolve(file)))
    : undefined;
}

/**
 * The paths an import argument stands for: a root folder laid out as OSV's bucket
 * (`<ecosystem>/all.zip` under it) stands for its archives, sorted; any other path for itself.
 */
export function expandImportPath(source: string): string[] {
  const stat = fs.statSync(source, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return [source];
  const archives = fs
    .readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(source, d.name, 'all.zip')))
    .map((d) => path.join(source, d.name, 'all.zip'))
    .sort();
  return archives.length > 0 ? archives : [source];
}

/**
 * Imports one archive, folder or document and records the result on the feed row of every
 * ecosystem it names. An `<ecosystem>/all.zip` whose sha256 equals the one the feed last
 * imported is not read again (its freshness is still recorded). A path that yields no document
 * is an error naming the path.
 */
export async function importIntoFeeds(
  db: Db,
  source: string,
  options: FeedImportOptions,
): Promise<FeedImport> {
  const ecosystem = options.ecosystem ?? archiveEcosystem(source);
  const isArchive = source.toLowerCase().endsWith('.zip');
  const sha256 = isArchive ? (options.sha256 ?? (await fileSha256(source))) : undefined;
  const update = {
    source: options.source ?? path.resolve(source),
    etag: options.etag ?? null,
    lastModified: options.lastModified ?? null,
    sha256: sha256 ?? null,
  };
  if (ecosystem && sha256) {
    const feed = await getFeed(db, ecosystem);
    if (feed?.archive_sha256 === sha256 && feed.advisory_count > 0) {
      await recordFeedUpdated(db, ecosystem, { ...update, at: options.clock() });
      return { kind: 'unchanged', path: source, ecosystem, sha256 };
    }
  }
  const result = await importAdvisories(db, source, {
    clock: options.clock,
    ...(options.sourceLabel ? { sourceLabel: options.sourceLabel } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.documents === 0) {
    throw new Error(
      `${source}: no OSV documents found (expected an <ecosystem>/all.zip, a folder holding <ecosystem>/all.zip archives, a folder of OSV .json files or a .json file).`,
    );
  }
  const ecosystems = [...new Set([...(ecosystem ? [ecosystem] : []), ...result.ecosystems])].sort();
  const at = options.clock();
  for (const name of ecosystems) {
    // The digest and validators belong to the archive's own ecosystem only.
    await recordFeedUpdated(db, name, name === ecosystem ? { ...update, at } : { source: update.source, at });
  }
  return { kind: 'imported', path: source, result, ecosystems };
}
