import type { Selectable } from 'kysely';
import type {
  Severity,
  Vulnerability,
  VulnerabilityScanResults,
  VulnerabilityScanResultsListItem,
} from '../../api/vulnerabilities.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { Db } from '../store/db.js';
import type { ScansTable } from '../store/schema.js';

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
