import path from 'node:path';
import type { Package, PackageStatus } from '../../api/packages.js';
import type { ServiceContext } from './context.js';
import { notFound } from './errors.js';
import { describeStatus } from './package-status.js';
import { groupTags, loadTags, type TagRow } from './package-tags.js';
import type { PackageRow } from './package-writes.js';
import { dbOf } from '../store/source.js';
import { liveBlobUsers, loadPackageViewRows, type PackageViewRecord } from '../store/packages.js';
import { latestComponentCounts, type ComponentCounts } from '../scan/coverage-store.js';

type ViewRow = PackageViewRecord;

const DOUBLE_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz', '.tar.zst'];

function extensionOf(filename: string): string {
  const lower = filename.toLowerCase();
  return DOUBLE_EXTENSIONS.find((e) => lower.endsWith(e)) ?? path.extname(filename);
}

/** The API URL of a package (its `self_url`). */
export function packageSelfUrl(ctx: ServiceContext, owner: string, repo: string, id: string): string {
  return `${ctx.baseUrl}/packages/${owner}/${repo}/${id}/`;
}

/** The download URL of a package's file, served by the downloads route. */
export function packageCdnUrl(
  ctx: ServiceContext,
  owner: string,
  repo: string,
  id: string,
  filename: string,
): string {
  return `${ctx.baseUrl}/dl/${owner}/${repo}/${id}/${encodeURIComponent(filename)}`;
}

function fullyQualifiedName(format: string, name: string, version: string): string {
  if (!version) return name;
  if (format === 'npm') return `${name}@${version}`;
  if (format === 'python') return `${name}==${version}`;
  return `${name}-${version}`;
}

function toPackage(
  ctx: ServiceContext,
  r: ViewRow,
  tagRows: TagRow[],
  shared: boolean,
  counts: ComponentCounts | undefined,
): Package {
  const self = packageSelfUrl(ctx, r.org_slug, r.repo_slug, r.id);
  const cdn = packageCdnUrl(ctx, r.org_slug, r.repo_slug, r.id, r.filename);
  const meta = r.metadata;
  const state = describeStatus(r);
  const { tags, tags_immutable } = groupTags(tagRows);
  const version = r.version || null;
  const binary = r.format === 'python' && meta.distribution === 'sdist' ? 2 : 1;
  return {
    slug: r.slug,
    slug_perm: r.id,
    identifier_perm: r.id,
    identifiers: { name: r.name, ...(version ? { version } : {}) },
    name: r.name,
    version,
    version_orig: typeof meta.version_orig === 'string' ? meta.version_orig || null : version,
    epoch: null,
    release: null,
    format: r.format,
    subtype: null,
    package_type: binary,
    type_display: binary === 2 ? 'source' : 'binary',
    display_name: r.name,
    fully_qualified_name: fullyQualifiedName(r.format, r.name, r.version),
    filename: r.filename,
    filepath: r.filename,
    extension: extensionOf(r.filename),

    namespace: r.org_slug,
    repository: r.repo_slug,
    origin_repository: r.origin_slug ?? r.repo_slug,
    self_url: self,
    status_url: `${self}status/`,
    namespace_url: `${ctx.baseUrl}/namespaces/${r.org_slug}/`,
    repository_url: `${ctx.baseUrl}/repos/${r.org_slug}/${r.repo_slug}/`,
    format_url: `${ctx.baseUrl}/formats/${r.format}/`,
    cdn_url: cdn,
    self_html_url: null,
    self_webapp_url: null,
    uploader_url: r.uploader_id ? `${ctx.baseUrl}/orgs/${r.org_slug}/services/${r.uploader}/` : null,
    dependencies_url: null,
    vulnerability_scan_results_url: `${ctx.baseUrl}/vulnerabilities/${r.org_slug}/${r.repo_slug}/${r.id}/`,
    signature_url: null,

    checksum_md5: r.md5,
    checksum_sha1: r.sha1,
    checksum_sha256: r.blob_sha256,
    checksum_sha512: r.sha512,
    size: Number(r.size),
    num_files: 1,
    files: [
      {
        filename: r.filename,
        size: Number(r.size),
        checksum_md5: r.md5,
        checksum_sha1: r.sha1,
        checksum_sha256: r.blob_sha256,
        checksum_sha512: r.sha512,
        cdn_url: cdn,
        is_primary: true,
        is_synchronised: state.is_sync_completed,
        is_downloadable: state.is_downloadable,
        tag: null,
        slug_perm: r.id,
        downloads: 0,
        signature_url: null,
      },
    ],
    architectures: [],
    distro: null,
    distro_version: null,
    license: r.license || null,
    raw_license: r.license || null,
    spdx_license: typeof meta.spdx_license === 'string' ? meta.spdx_license : null,
    summary: r.summary || null,
    description: r.description || null,
    downloads: 0,
    freeable_storage: shared ? 0 : Number(r.size),
    dependencies_checksum_md5: null,

    ...state,
    indexed: state.is_sync_completed,
    policy_violated: r.policy_violated === 1,

    security_scan_status: r.security_scan_status,
    security_scan_started_at: r.security_scan_started_at,
    security_scan_completed_at: r.security_scan_completed_at,
    security_scan_status_updated_at:
      r.security_scan_completed_at ?? r.security_scan_started_at ?? r.uploaded_at,
    num_components_evaluated: counts?.evaluated ?? null,
    num_components_not_evaluated: counts?.notEvaluated ?? null,

    tags,
    tags_immutable,
    tags_automatic: { info: [], version: [] },

    uploaded_at: r.uploaded_at,
    uploader: r.uploader,
    identity: r.identity,
  };
}

/** The Package objects of the given package ids (live or deleted), in the order given. */
export async function loadPackageViews(ctx: ServiceContext, ids: string[]): Promise<Package[]> {
  if (ids.length === 0) return [];
  const rows = await loadPackageViewRows(ctx, ids);
  const tags = await loadTags(ctx, ids);
  // latestComponentCounts belongs to the scan store, which takes the database itself.
  const componentCounts = await latestComponentCounts(dbOf(ctx), ids);
  // A blob other live packages still use frees nothing when this one goes.
  const userCount = await liveBlobUsers(ctx, [...new Set(rows.map((r) => r.blob_sha256))]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .map((id) => byId.get(id))
    .filter((r): r is ViewRow => r !== undefined)
    .map((r) => {
      const others = (userCount.get(r.blob_sha256) ?? 0) - (r.deleted_at === null ? 1 : 0);
      return toPackage(ctx, r, tags.get(r.id) ?? [], others > 0, componentCounts.get(r.id));
    });
}

/** The Package object of one package; 404 when there is no such row. */
export async function packageView(ctx: ServiceContext, id: string): Promise<Package> {
  const [view] = await loadPackageViews(ctx, [id]);
  if (!view) throw notFound(`Package '${id}'`);
  return view;
}

/** Renders a package for a webhook payload (null once its row is gone). */
export async function renderPackageById(ctx: ServiceContext, packageId: string): Promise<Package | null> {
  return (await loadPackageViews(ctx, [packageId]))[0] ?? null;
}

/** The status endpoint's view of a package row. */
export function packageStatusView(
  ctx: ServiceContext,
  row: PackageRow,
  owner: string,
  repo: string,
): PackageStatus {
  return {
    ...describeStatus(row),
    self_url: packageSelfUrl(ctx, owner, repo, row.id),
    security_scan_status: row.security_scan_status,
    security_scan_completed_at: row.security_scan_completed_at,
    policy_violated: row.policy_violated === 1,
  };
}
