import type { Db } from '../store/db.js';

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

/** Evaluated and not-evaluated component counts of one package's latest scan. */
export interface ComponentCounts {
  evaluated: number;
  notEvaluated: number;
}

/** The component counts of each package's latest completed scan; packages never scanned are absent. */
export async function latestComponentCounts(
  db: Db,
  packageIds: string[],
): Promise<Map<string, ComponentCounts>> {
  const latest = new Map<string, ComponentCounts & { completedAt: string; seq: number }>();
  if (packageIds.length === 0) return latest;
  const rows = await db
    .selectFrom('scans')
    .select(['package_id', 'completed_at', 'seq', 'num_components_evaluated', 'num_components_not_evaluated'])
    .where('package_id', 'in', packageIds)
    .execute();
  for (const r of rows) {
    const seen = latest.get(r.package_id);
    if (
      seen &&
      (seen.completedAt > r.completed_at || (seen.completedAt === r.completed_at && seen.seq > r.seq))
    )
      continue;
    latest.set(r.package_id, {
      evaluated: Number(r.num_components_evaluated),
      notEvaluated: Number(r.num_components_not_evaluated),
      completedAt: r.completed_at,
      seq: Number(r.seq),
    });
  }
  return latest;
}
