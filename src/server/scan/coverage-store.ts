import {
  advisoryPresence as storedPresence,
  countLiveAdvisories,
  feedTimes,
  readAdvisoryGeneration,
} from '../store/advisories.js';
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

/** The presence last read from each database, and the advisory generation it was read at. */
const presenceRead = new WeakMap<
  Db,
  { generation: string; ecosystems: string; presence: Record<string, number> }
>();

/**
 * Which of `ecosystems` hold at least one live advisory (1) and which none (0), asked before
 * every scan: read again only when the advisory generation has moved (one row read), since any
 * write of advisories by any process moves it. Read in that order, a write between the two reads
 * leaves newer presence under the older generation, which the next call reads again.
 */
export async function advisoryPresence(
  db: Db,
  ecosystems: readonly string[],
): Promise<Record<string, number>> {
  const generation = await readAdvisoryGeneration({ db });
  const key = ecosystems.join(' ');
  const last = presenceRead.get(db);
  if (last && last.generation === generation && last.ecosystems === key) return { ...last.presence };
  const presence = await storedPresence({ db }, ecosystems);
  presenceRead.set(db, { generation, ecosystems: key, presence });
  return { ...presence };
}

/** The component counts of each package's latest completed scan; packages never scanned are absent. */
export function latestComponentCounts(db: Db, packageIds: string[]): Promise<Map<string, ComponentCounts>> {
  return storedComponentCounts({ db }, packageIds);
}
