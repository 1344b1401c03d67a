import type {
  EcosystemCoverage,
  ScanCoverage,
  Severity,
  VulnerabilityScanResults,
  VulnerabilityScanResultsListItem,
} from '../../api/vulnerabilities.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import {
  findPackageScan,
  listFindings,
  type ScanListing,
  type ScanRow,
  type StoredScanCoverage,
} from '../store/scans.js';
import { advisoryFreshness, countAdvisories } from './coverage-store.js';

export { scanRows } from '../store/scans.js';

/** Renders a scan as a list item. */
export function scanListItem(
  ctx: ServiceContext,
  row: Omit<ScanRow, 'coverage'>,
): VulnerabilityScanResultsListItem {
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

/** The stored coverage of a scan; empty lists for scans that have none (failed, or older ones). */
function storedCoverage(row: ScanListing): StoredScanCoverage {
  return { not_evaluated_components: [], ecosystems: [], ...(row.coverage ?? {}) };
}

/**
 * A scan's coverage as shown: what it recorded, with each ecosystem's advisory count and
 * freshness read now, so a reader sees whether the data it was judged against has since grown.
 */
export async function scanCoverage(ctx: ServiceContext, row: ScanListing): Promise<ScanCoverage> {
  const stored = storedCoverage(row);
  const names = stored.ecosystems.map((e) => e.ecosystem);
  const counts = await countAdvisories(ctx, names);
  const freshness = await advisoryFreshness(ctx, names);
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
  row: ScanListing,
): Promise<VulnerabilityScanResults & { outcome: string; reason: string }> {
  const findings = await listFindings(ctx, row.id);
  return {
    ...scanListItem(ctx, row),
    scans: findings.map((f) => ({ type: f.type, target: f.target, results: f.results })),
    coverage: await scanCoverage(ctx, row),
    outcome: row.outcome,
    reason: row.reason,
  };
}

/** Finds one scan of a package by its identifier; 404 naming it otherwise. */
export async function findScan(ctx: ServiceContext, packageId: string, scanId: string): Promise<ScanListing> {
  const row = await findPackageScan(ctx, packageId, scanId);
  if (!row) throw new ServiceError('not_found', `Scan '${scanId}' of this package not found.`);
  return row;
}
