import { sql } from 'kysely';
import { dbOf, type DbSource } from './source.js';
import { readableRepoIds, type Reader } from './readable-repos.js';

/** Limits of the scan-age buckets: scans completed at or after each time fall in that bucket. */
export interface AgeBounds {
  day: string;
  week: string;
  month: string;
}

/** Packages that share every grouped property, and how many there are. */
export interface OverviewGroup {
  scanStatus: string;
  quarantined: boolean;
  policyViolated: boolean;
  /** The highest severity the latest scan found; null when it found none or there is no scan. */
  maxSeverity: string | null;
  /** The latest scan left components it could not check. */
  notEvaluated: boolean;
  /** How old the latest scan is; 'none' when the package has no scan. */
  age: 'day' | 'week' | 'month' | 'older' | 'none';
  count: number;
  /** The completion time of the oldest latest scan in the group. */
  oldestScanAt: string | null;
}

/**
 * The live packages of an org (or one of its repositories) that a reader may read, grouped by
 * what the security overview counts: scan state, quarantine, policy outcome, the latest scan's
 * highest severity, coverage and age. One query; the groups are few whatever the package count.
 */
export async function securityOverviewGroups(
  src: DbSource,
  reader: Reader,
  orgId: string,
  repoId: string | null,
  bounds: AgeBounds,
): Promise<OverviewGroup[]> {
  const db = dbOf(src);
  let query = db
    .selectFrom('packages')
    .leftJoin('scans', (join) =>
      join.onRef('scans.package_id', '=', 'packages.id').on('scans.seq', '=', (eb) =>
        eb
          .selectFrom('scans as later')
          .select((m) => m.fn.max('later.seq').as('seq'))
          .whereRef('later.package_id', '=', 'packages.id'),
      ),
    )
    .where('packages.org_id', '=', orgId)
    .where('packages.deleted_at', 'is', null)
    .where('packages.repo_id', 'in', readableRepoIds(db, reader, orgId));
  if (repoId) query = query.where('packages.repo_id', '=', repoId);
  const rows = await query
    .select((eb) => [
      'packages.security_scan_status',
      'packages.is_quarantined',
      'packages.policy_violated',
      'scans.max_severity',
      eb.case().when('scans.num_components_not_evaluated', '>', 0).then(1).else(0).end().as('not_evaluated'),
      eb
        .case()
        .when('scans.completed_at', 'is', null)
        .then('none')
        .when('scans.completed_at', '>=', bounds.day)
        .then('day')
        .when('scans.completed_at', '>=', bounds.week)
        .then('week')
        .when('scans.completed_at', '>=', bounds.month)
        .then('month')
        .else('older')
        .end()
        .as('age'),
      eb.fn.countAll<number>().as('n'),
      eb.fn.min('scans.completed_at').as('oldest'),
    ])
    // The two computed columns are grouped by their output names, which both databases allow.
    .groupBy([
      'packages.security_scan_status',
      'packages.is_quarantined',
      'packages.policy_violated',
      'scans.max_severity',
      sql`not_evaluated`,
      sql`age`,
    ])
    .execute();
  return rows.map((r) => ({
    scanStatus: r.security_scan_status,
    quarantined: Number(r.is_quarantined) === 1,
    policyViolated: Number(r.policy_violated) === 1,
    maxSeverity: r.max_severity ?? null,
    notEvaluated: Number(r.not_evaluated) === 1,
    age: String(r.age) as OverviewGroup['age'],
    count: Number(r.n),
    oldestScanAt: r.oldest === null || r.oldest === undefined ? null : String(r.oldest),
  }));
}
