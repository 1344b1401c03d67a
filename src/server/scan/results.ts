import type { Selectable } from 'kysely';
import type {
  EcosystemCoverage,
  NotEvaluatedComponent,
  ScanCoverage,
  Severity,
  Vulnerability,
  VulnerabilityScanResults,
  VulnerabilityScanResultsListItem,
} from '../../api/vulnerabilities.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import type { ScansTable } from '../store/schema.js';
import type { EcosystemCount } from './coverage.js';
import { advisoryFreshness, countAdvisories } from './coverage-store.js';

type ScanRow = Selectable<ScansTable> & {
  pkg_name: string;
  pkg_version: string;
  repo_slug: string;
  org_slug: string;
};

/** Selects scans with the package, repository and org they belong to. */
export function scanRows(db: Db) {
  return db
    .selectFrom('scans')
    .innerJoin('packages', 'packages.id', 'scans.package_id')
    .innerJoin('repos', 'repos.id', 'scans.repo_id')
    .innerJoin('orgs', 'orgs.id', 'scans.org_id')
    .selectAll('scans')
    .select([
      'packages.name as pkg_name',
      'packages.version as pkg_version',
      'repos.slug as repo_slug',
      'orgs.slug as org_slug',
    ])
    .where('packages.deleted_at', 'is', null);
}

/** Renders a scan as a list item. */
export function scanListItem(ctx: ServiceContext, row: ScanRow): VulnerabilityScanResultsListItem {
  return {
    identifier: row.id,
    created_at: row.completed_at,
    package: {
      identifier: row.package_id,
      name: row.pkg_name,
      version: row.pkg_version,
      url: `${ctx.baseUrl}/packages/${row.org_slug}/${row.repo_slug}/${row.package_id}/`,
    },
    has_vulnerabilities: row.num_vulnerabilities > 0,
    max_severity: (row.max_severity as Severity | null) ?? null,
    num_vulnerabilities: row.num_vulnerabilities,
    scan_id: row.seq,
    num_components: row.num_components,
    num_components_evaluated: row.num_components_evaluated,
    num_components_not_evaluated: row.num_components_not_evaluated,
  };
}

/** The stored coverage JSON of a scan; empty lists for scans that have none (failed, or older ones). */
function storedCoverage(row: ScanRow): {
  not_evaluated_components: NotEvaluatedComponent[];
  ecosystems: EcosystemCount[];
} {
  const empty = { not_evaluated_components: [], ecosystems: [] };
  if (!row.coverage) return empty;
  try {
    return { ...empty, ...(JSON.parse(row.coverage) as Partial<typeof empty>) };
  } catch {
    return empty;
  }
}

/**
 * A scan's coverage as shown: what it recorded, with each ecosystem's advisory count and
 * freshness read now, so a reader sees whether the data it was judged against has since grown.
 */
export async function scanCoverage(ctx: ServiceContext, row: ScanRow): Promise<ScanCoverage> {
  const stored = storedCoverage(row);
  const names = stored.ecosystems.map((e) => e.ecosystem);
  const counts = await countAdvisories(ctx.db, names);
  const freshness = await advisoryFreshness(ctx.db, names);
  const ecosystems: EcosystemCoverage[] = stored.ecosystems.map((e) => ({
    ecosystem: e.ecosystem,
    components: e.components,
    evaluated: e.evaluated,
    advisories: counts[e.ecosystem] ?? 0,
    advisories_updated_at: freshness[e.ecosystem] ?? null,
  }));
  return {
    // A failed or unsupported scan evaluated nothing, whatever its (zero) counts say.
    complete:
      (row.outcome === 'clean' || row.outcome === 'vulnerable') &&
      row.num_components_not_evaluated === 0 &&
      row.limit_reached === null,
    evaluated: row.num_components_evaluated,
    not_evaluated: row.num_components_not_evaluated,
    not_evaluated_components: stored.not_evaluated_components,
    limit_reached: row.limit_reached,
    ecosystems,
  };
}

/** Renders a scan with every finding. */
export async function scanDetail(
  ctx: ServiceContext,
  row: ScanRow,
): Promise<VulnerabilityScanResults & { outcome: string; reason: string }> {
  const findings = await ctx.db
    .selectFrom('scan_findings')
    .select(['target', 'type', 'finding'])
    .where('scan_id', '=', row.id)
    .orderBy('ordinal')
    .execute();
  return {
    ...scanListItem(ctx, row),
    scans: findings.map((f) => ({
      type: f.type,
      target: f.target,
      results: JSON.parse(f.finding) as Vulnerability[],
    })),
    coverage: await scanCoverage(ctx, row),
    outcome: row.outcome,
    reason: row.reason,
  };
}

/** Finds one scan of a package by its identifier; 404 naming it otherwise. */
export async function findScan(ctx: ServiceContext, packageId: string, scanId: string): Promise<ScanRow> {
  const row = await scanRows(ctx.db)
    .where('scans.package_id', '=', packageId)
    .where('scans.id', '=', scanId)
    .executeTakeFirst();
  if (!row) throw new ServiceError('not_found', `Scan '${scanId}' of this package not found.`);
  return row;
}
