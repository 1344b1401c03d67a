import type { Db } from '../store/db.js';
import { latestComponentCounts as storedComponentCounts, type ComponentCounts } from '../store/scans.js';

/** Live (not withdrawn) advisories per OSV ecosystem, as held now. */
export async function countAdvisories(db: Db, ecosystems?: string[]): Promise<Record<string, number>> {
  if (ecosystems && ecosystems.length === 0) return {};
  let query = db
    .selectFrom('advisory_packages as p')
    .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
    .where('a.withdrawn', 'is', null)
    .select(['p.ecosystem', (eb) => eb.fn.count<number | string>('p.advisory_id').distinct().as('n')])
    .groupBy('p.ecosystem');
  if (ecosystems) query = query.where('p.ecosystem', 'in', ecosystems);
  const counts: Record<string, number> = {};
  for (const row of await query.execute()) counts[row.ecosystem] = Number(row.n);
  return counts;
}

/** When each ecosystem's advisory data was last refreshed (`advisory_feeds.updated_at`); absent when never. */
export async function advisoryFreshness(
  db: Db,
  ecosystems: string[],
): Promise<Record<string, string | null>> {
  if (ecosystems.length === 0) return {};
  const rows = await db
    .selectFrom('advisory_feeds')
    .select(['ecosystem', 'updated_at'])
    .where('ecosystem', 'in', ecosystems)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.ecosystem, r.updated_at]));
}

/**
 * Which of `ecosystems` hold at least one live advisory (1) and which none (0): one indexed
 * look-up each, cheap enough to run before every scan.
 */
export async function advisoryPresence(
  db: Db,
  ecosystems: readonly string[],
): Promise<Record<string, number>> {
  const presence: Record<string, number> = {};
  for (const ecosystem of ecosystems) {
    const row = await db
      .selectFrom('advisory_packages as p')
      .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
      .where('p.ecosystem', '=', ecosystem)
      .where('a.withdrawn', 'is', null)
      .select('p.advisory_id')
      .limit(1)
      .executeTakeFirst();
    presence[ecosystem] = row ? 1 : 0;
  }
  return presence;
}

export type { ComponentCounts } from '../store/scans.js';

/** The component counts of each package's latest completed scan; packages never scanned are absent. */
export function latestComponentCounts(db: Db, packageIds: string[]): Promise<Map<string, ComponentCounts>> {
  return storedComponentCounts({ db }, packageIds);
}
