import { advisoryPresence as storedPresence, countLiveAdvisories, feedTimes } from '../store/advisories.js';
import type { Db } from '../store/db.js';
import { latestComponentCounts as storedComponentCounts, type ComponentCounts } from '../store/scans.js';
import type { DbSource } from '../store/source.js';

export type { ComponentCounts } from '../store/scans.js';

/** Live (not withdrawn) advisories per OSV ecosystem, as held now. */
export function countAdvisories(source: DbSource, ecosystems?: string[]): Promise<Record<string, number>> {
  return countLiveAdvisories(source, ecosystems);
}

/** When each ecosystem's advisory data was last refreshed (`advisory_feeds.updated_at`); absent when never. */
export async function advisoryFreshness(
  source: DbSource,
  ecosystems: string[],
): Promise<Record<string, string | null>> {
  const rows = await feedTimes(source, ecosystems);
  return Object.fromEntries(rows.map((r) => [r.ecosystem, r.updated_at]));
}

/**
 * Which of `ecosystems` hold at least one live advisory (1) and which none (0): one indexed
 * look-up each, cheap enough to run before every scan.
 */
export function advisoryPresence(db: Db, ecosystems: readonly string[]): Promise<Record<string, number>> {
  return storedPresence({ db }, ecosystems);
}

/** The component counts of each package's latest completed scan; packages never scanned are absent. */
export function latestComponentCounts(db: Db, packageIds: string[]): Promise<Map<string, ComponentCounts>> {
  return storedComponentCounts({ db }, packageIds);
}
