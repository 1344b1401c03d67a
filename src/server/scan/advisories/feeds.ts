import { dbOf, type DbSource } from '../../store/source.js';
import {
  countEcosystemAdvisories,
  countLiveAdvisories,
  findFeed,
  hasAnyAdvisory as storedAnyAdvisory,
  listFeeds,
  upsertFeed,
  type FeedRecord,
} from '../../store/advisories.js';
import type { Db } from '../../store/db.js';

/** One ecosystem's advisory data as `GET /status/advisories/` shows it (never the validators). */
export interface FeedStatus {
  ecosystem: string;
  /** Advisories held now that are not withdrawn. */
  advisories: number;
  source: string;
  updated_at: string | null;
  checked_at: string | null;
  /** Seconds since `updated_at`; null when the data was never refreshed. */
  age_seconds: number | null;
  last_error: string | null;
}

/**
 * A source as it may be stored and shown: a URL loses its user name, password, query and
 * fragment (a mirror's credentials must never reach the status endpoint or the logs).
 */
export function redactSource(source: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return source;
  try {
    const url = new URL(source);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return source.replace(/\/\/[^/@]*@/, '//');
  }
}

/** The feed row of an ecosystem, or undefined when it was never synced or imported. */
export function getFeed(db: Db, ecosystem: string): Promise<FeedRecord | undefined> {
  return findFeed({ db }, ecosystem);
}

/** Advisories held now (not withdrawn) that name a package of `ecosystem`. */
export function countAdvisories(db: Db, ecosystem: string): Promise<number> {
  return countEcosystemAdvisories({ db }, ecosystem);
}

/** Whether the database holds any advisory at all (`serve` warns at start when it holds none). */
export function hasAnyAdvisory(source: DbSource): Promise<boolean> {
  return storedAnyAdvisory(source);
}

/** What a successful sync or import of one ecosystem stores. */
export interface FeedUpdate {
  source: string;
  at: Date;
  /** Validators of the download, for the next conditional request (sync only); null clears them. */
  etag?: string | null;
  lastModified?: string | null;
  /** sha256 of the archive imported, when the data came from one archive. */
  sha256?: string | null;
}

/**
 * Records a successful sync or import: the data is fresh as of `at`, its source, the count of
 * advisories now held, and (for an archive) its digest and validators; clears `last_error`.
 */
export async function recordFeedUpdated(db: Db, ecosystem: string, update: FeedUpdate): Promise<void> {
  const at = update.at.toISOString();
  await upsertFeed({ db }, ecosystem, {
    source: redactSource(update.source),
    updated_at: at,
    checked_at: at,
    last_error: null,
    advisory_count: await countAdvisories(db, ecosystem),
    // Left out (undefined), the validators and digest stay as they were: an import of a folder
    // that also names this ecosystem says nothing about its archive.
    ...(update.etag !== undefined ? { etag: update.etag } : {}),
    ...(update.lastModified !== undefined ? { last_modified: update.lastModified } : {}),
    ...(update.sha256 !== undefined ? { archive_sha256: update.sha256 } : {}),
  });
}

/**
 * Records a check that found nothing new (a 304, or the same archive again): only `checked_at`
 * moves (and the validators, when the server sent new ones); `last_error` is cleared.
 */
export async function recordFeedChecked(
  db: Db,
  ecosystem: string,
  at: Date,
  validators: { etag?: string | null; lastModified?: string | null } = {},
): Promise<void> {
  await upsertFeed({ db }, ecosystem, {
    checked_at: at.toISOString(),
    last_error: null,
    ...(validators.etag ? { etag: validators.etag } : {}),
    ...(validators.lastModified ? { last_modified: validators.lastModified } : {}),
  });
}

/** Records a failed sync: the data stays as it was; `checked_at` and `last_error` say what happened. */
export async function recordFeedFailed(db: Db, ecosystem: string, at: Date, error: string): Promise<void> {
  await upsertFeed({ db }, ecosystem, { checked_at: at.toISOString(), last_error: error });
}

/**
 * Every ecosystem with a feed row or with advisories, sorted by name: how many advisories it
 * holds now, where they came from, and how old they are at `now`.
 */
export async function listFeedStatus(source: DbSource, now: Date): Promise<FeedStatus[]> {
  const db = dbOf(source);
  const feeds = await listFeeds({ db });
  const held = new Map(Object.entries(await countLiveAdvisories({ db })));
  const byName = new Map(feeds.map((f) => [f.ecosystem, f]));
  const names = [...new Set([...byName.keys(), ...held.keys()])].sort();
  return names.map((ecosystem) => {
    const feed = byName.get(ecosystem);
    const updated = feed?.updated_at ?? null;
    const age =
      updated === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(updated)) / 1000));
    return {
      ecosystem,
      advisories: held.get(ecosystem) ?? 0,
      source: redactSource(feed?.source ?? ''),
      updated_at: updated,
      checked_at: feed?.checked_at ?? null,
      age_seconds: age !== null && Number.isFinite(age) ? age : null,
      last_error: feed?.last_error ?? null,
    };
  });
}
