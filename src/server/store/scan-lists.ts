/**
 * Scan results as the vulnerability lists read them: each scan with the package, repository and
 * organisation it belongs to. Scans of deleted packages are not listed.
 */

import type { Selectable } from 'kysely';
import type { ScansTable } from './schema.js';
import { dbOf, type DbSource } from './source.js';

/** A scan with the names its list item shows. */
export type ScanListRecord = Selectable<ScansTable> & {
  pkg_name: string;
  pkg_version: string;
  repo_slug: string;
  org_slug: string;
};

/** Which scans a list covers: an organisation's, a repository's or one package's. */
export type ScanScope = { orgId: string } | { repoId: string } | { packageId: string };

function scopedScans(src: DbSource, scope: ScanScope) {
  const q = dbOf(src)
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
  if ('orgId' in scope) return q.where('scans.org_id', '=', scope.orgId);
  if ('repoId' in scope) return q.where('scans.repo_id', '=', scope.repoId);
  return q.where('scans.package_id', '=', scope.packageId);
}

/**
 * One page of an organisation's or a repository's scans, newest first, with the number of scans
 * recorded there (the count includes scans of packages deleted since, as it always has).
 */
export async function listScans(
  src: DbSource,
  scope: { orgId: string } | { repoId: string },
  window: { offset: number; size: number },
): Promise<{ rows: ScanListRecord[]; count: number }> {
  const rows = await scopedScans(src, scope)
    .orderBy('scans.completed_at', 'desc')
    .limit(window.size)
    .offset(window.offset)
    .execute();
  let counted = dbOf(src).selectFrom('scans');
  counted =
    'orgId' in scope
      ? counted.where('org_id', '=', scope.orgId)
      : counted.where('repo_id', '=', scope.repoId);
  const { count } = await counted
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return { rows, count: Number(count) };
}

/** Every scan of a package, newest first. */
export async function listPackageScans(src: DbSource, packageId: string): Promise<ScanListRecord[]> {
  return scopedScans(src, { packageId })
    .orderBy('scans.completed_at', 'desc')
    .orderBy('scans.seq', 'desc')
    .execute();
}
