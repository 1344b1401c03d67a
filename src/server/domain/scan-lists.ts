import type {
  VulnerabilityScanResults,
  VulnerabilityScanResultsListItem,
} from '../../api/vulnerabilities.js';
import { findScan, scanDetail, scanListItem } from '../scan/results.js';
import { findLivePackagesByIdOrSlug } from '../store/packages.js';
import { countScans, listScans } from '../store/scans.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { resolveOrg, resolveRepo } from './repos.js';

type Window = { offset: number; size: number };
type Page = { items: VulnerabilityScanResultsListItem[]; count: number };

/** `GET /vulnerabilities/{owner}/` (org Manager): one page of the organisation's scans, newest first. */
export async function listOrgScans(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  window: Window,
): Promise<Page> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const rows = await listScans(ctx, { orgId: org.id }, window);
  return { items: rows.map((r) => scanListItem(ctx, r)), count: await countScans(ctx, { orgId: org.id }) };
}

/** `GET /vulnerabilities/{owner}/{repo}/` (Read): one page of the repository's scans, newest first. */
export async function listRepoScans(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  window: Window,
): Promise<Page> {
  const scope = await resolveRepo(ctx, actor, owner, repo, 'Read');
  const rows = await listScans(ctx, { repoId: scope.repo.id }, window);
  return {
    items: rows.map((r) => scanListItem(ctx, r)),
    count: await countScans(ctx, { repoId: scope.repo.id }),
  };
}

async function scannedPackage(ctx: ServiceContext, actor: Actor, owner: string, repo: string, ident: string) {
  const scope = await resolveRepo(ctx, actor, owner, repo, 'Read');
  const [row] = await findLivePackagesByIdOrSlug(ctx, scope.repo.id, ident);
  if (!row) throw new ServiceError('not_found', `Package '${ident}' not found in this repository.`);
  return row;
}

/**
 * `GET /vulnerabilities/{owner}/{repo}/{package}/` (Read): every scan of a live package, newest
 * first. Before its first scan finishes the answer is a 404 that says so rather than an empty
 * list: the official CLI reads the first entry unguarded and would crash on `[]`.
 */
export async function listScansOfPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  ident: string,
): Promise<VulnerabilityScanResultsListItem[]> {
  const pkg = await scannedPackage(ctx, actor, owner, repo, ident);
  const scans = await listScans(ctx, { packageId: pkg.id });
  if (scans.length === 0) {
    throw new ServiceError(
      'not_found',
      `Package '${ident}' has no scan results yet (security scan status: ${pkg.security_scan_status}).`,
    );
  }
  return scans.map((r) => scanListItem(ctx, r));
}

/** `GET /vulnerabilities/{owner}/{repo}/{package}/{scan}/` (Read): one scan with every finding. */
export async function getPackageScan(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  ident: string,
  scanId: string,
): Promise<VulnerabilityScanResults & { outcome: string; reason: string }> {
  const pkg = await scannedPackage(ctx, actor, owner, repo, ident);
  return scanDetail(ctx, await findScan(ctx, pkg.id, scanId));
}
