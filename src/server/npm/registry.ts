/**
 * The read side of the native npm registry (`/npm/{owner}/{repo}/`): packuments built from the
 * package rows (never a stored document; serialised once per change, see npm-registry.ts), and
 * tarballs. Every npm version is a
 * Package of format `npm`, so what the API pushes, promotes or quarantines is what npm sees.
 */

import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import semver from 'semver';
import type { Actor, Privilege } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { DOWNLOAD_GUARDS, openDownload, type DownloadFile } from '../domain/downloads.js';
import { notFound } from '../domain/errors.js';
import { resolveRepo, type RepoAccess } from '../domain/repos.js';
import { nameKeyFor } from '../formats/index.js';
import {
  listNpmRevisions,
  listNpmVersions,
  type NpmRevisionRecord,
  type NpmVersionRecord,
} from '../store/npm.js';
import { findLivePackageById } from '../store/packages.js';

/** A repository as its npm registry URL names it, with the caller's access to it. */
export interface NpmRepo {
  access: RepoAccess;
  owner: string;
  slug: string;
}

/** A packument (full or abbreviated): npm's document of one package and all its versions. */
export type Packument = Record<string, unknown> & {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
};

/** Options of {@link getPackument}. */
export interface PackumentOptions {
  /** The install-time form (`Accept: application/vnd.npm.install-v1+json`). */
  abbreviated: boolean;
}

/** The version fields of an abbreviated packument (npm's install-v1 set). */
const ABBREVIATED_FIELDS = [
  'name',
  'version',
  'deprecated',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'directories',
  'engines',
  'os',
  'cpu',
  'libc',
  '_hasShrinkwrap',
  'hasInstallScript',
  'dist',
];

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/**
 * Resolves the repository of a registry URL with at least `needed` (anonymous Read only on a
 * public repository; 401 for anonymous callers on anything else).
 */
export async function resolveNpmRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  needed: Privilege,
): Promise<NpmRepo> {
  return { access: await resolveRepo(ctx, actor, owner, slug, needed), owner, slug };
}

/** The registry URL of a repository (with its trailing slash, as `.npmrc` wants it). */
export function registryUrl(ctx: ServiceContext, owner: string, slug: string): string {
  return `${ctx.baseUrl}/npm/${encodeURIComponent(owner)}/${encodeURIComponent(slug)}/`;
}

/**
 * The path of a tarball below the registry URL, as the public registry writes it: `@scope/name/-/file`
 * for scoped names (yarn pins any other form of the URL into its lockfile, tying it to this host).
 */
export function tarballPath(name: string, filename: string): string {
  const [scope, bare] = name.startsWith('@') ? name.slice(1).split('/', 2) : [];
  const pkg =
    scope !== undefined && bare !== undefined
      ? `@${encodeURIComponent(scope)}/${encodeURIComponent(bare)}`
      : encodeURIComponent(name);
  return `${pkg}/-/${encodeURIComponent(filename)}`;
}

/** The tarball file name npm gives a version: the name without its scope, then the version. */
export function tarballFilename(name: string, version: string): string {
  return `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
}

/** The live npm versions of `name` in the repository (any case of the name). */
export function loadVersions(ctx: ServiceContext, repo: NpmRepo, name: string): Promise<NpmVersionRecord[]> {
  return listNpmVersions(ctx, repo.access.repo.id, nameKeyFor('npm', name));
}

/** What {@link packumentRevision} needs of the live npm versions of `name`: no manifests. */
export function loadRevisions(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
): Promise<NpmRevisionRecord[]> {
  return listNpmRevisions(ctx, repo.access.repo.id, nameKeyFor('npm', name));
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `latest` when a version holds it, else the highest release (or, failing that, any) version. */
export function distTagsOf(rows: NpmVersionRecord[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const r of rows) for (const t of r.distTags) tags[t] = r.version;
  if (!tags.latest && rows.length > 0) {
    const versions = rows.map((r) => r.version).filter((v) => semver.valid(v));
    const releases = versions.filter((v) => !semver.prerelease(v));
    const pick = (releases.length ? releases : versions).sort(semver.rcompare)[0];
    tags.latest = pick ?? rows[rows.length - 1]!.version;
  }
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));
}

function versionDocument(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
  row: NpmVersionRecord,
): Record<string, unknown> {
  const manifest = (row.metadata.npm_manifest as Record<string, unknown> | undefined) ?? {
    dependencies: row.metadata.dependencies,
  };
  const integrity =
    stringField(row.metadata.npm_integrity) ??
    `sha256-${Buffer.from(row.blobSha256, 'hex').toString('base64')}`;
  const doc: Record<string, unknown> = {
    ...manifest,
    name,
    version: row.version,
    _id: `${name}@${row.version}`,
    dist: {
      tarball: `${registryUrl(ctx, repo.owner, repo.slug)}${tarballPath(name, row.filename)}`,
      shasum: row.sha1,
      integrity,
    },
  };
  if (row.deprecated) doc.deprecated = row.deprecated;
  else delete doc.deprecated;
  const scripts = manifest.scripts as Record<string, unknown> | undefined;
  if (scripts && INSTALL_SCRIPTS.some((s) => typeof scripts[s] === 'string')) doc.hasInstallScript = true;
  doc._npmUser = { name: row.uploader, email: '' };
  return doc;
}

/** One version's manifest cut to the fields of npm's abbreviated (install-v1) packument. */
export function abbreviate(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ABBREVIATED_FIELDS) if (doc[key] !== undefined) out[key] = doc[key];
  return out;
}

/**
 * A revision string that changes whenever the rows behind a packument do: a version published or
 * unpublished (its row id comes or goes), a dist-tag moved, a deprecation set or cleared.
 */
export function packumentRevision(rows: readonly NpmRevisionRecord[]): string {
  const hash = crypto.createHash('sha256');
  // In id order, whatever order the rows come in: the full rows and the revision rows agree.
  const ordered = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const r of ordered) hash.update(`${r.id}\0${r.distTags.join(',')}\0${r.deprecated ?? ''}\n`);
  return `${rows.length}-${hash.digest('hex').slice(0, 32)}`;
}

/**
 * The packument of `name` in the repository, built from its live version rows; null when the
 * repository has no version of it. The abbreviated form carries only what installing needs.
 */
export async function getPackument(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
  options: PackumentOptions,
): Promise<Packument | null> {
  return buildPackument(ctx, repo, await loadVersions(ctx, repo, name), options);
}

/** The packument of the version rows of one name (as {@link loadVersions} reads them); null when there are none. */
export function buildPackument(
  ctx: ServiceContext,
  repo: NpmRepo,
  rows: NpmVersionRecord[],
  options: PackumentOptions,
): Packument | null {
  if (rows.length === 0) return null;
  const distTags = distTagsOf(rows);
  const latest = rows.find((r) => r.version === distTags.latest) ?? rows[rows.length - 1]!;
  const display = latest.name;
  const modified = rows.reduce((max, r) => (r.uploadedAt > max ? r.uploadedAt : max), rows[0]!.uploadedAt);
  const versions: Record<string, Record<string, unknown>> = {};
  const sorted = [...rows].sort((a, b) =>
    semver.valid(a.version) && semver.valid(b.version) ? semver.compare(a.version, b.version) : 0,
  );
  for (const r of sorted) {
    const doc = versionDocument(ctx, repo, display, r);
    versions[r.version] = options.abbreviated ? abbreviate(doc) : doc;
  }
  if (options.abbreviated) return { name: display, modified, 'dist-tags': distTags, versions };
  const time: Record<string, string> = { created: rows[0]!.uploadedAt, modified };
  for (const r of sorted) time[r.version] = r.uploadedAt;
  const latestManifest = versions[latest.version]!;
  const packument: Packument = {
    _id: display,
    _rev: packumentRevision(rows),
    name: display,
    'dist-tags': distTags,
    versions,
    time,
    maintainers: [...new Set(rows.map((r) => r.uploader))].map((u) => ({ name: u, email: '' })),
    readme: '',
  };
  for (const key of ['description', 'license', 'homepage', 'keywords', 'repository', 'author', 'bugs']) {
    if (latestManifest[key] !== undefined) packument[key] = latestManifest[key];
  }
  return packument;
}

/** A tarball the caller may download: the file's facts and its bytes. */
export interface NpmTarball {
  file: DownloadFile;
  open(): Promise<Readable>;
}

/**
 * The tarball `filename` of `name` in the repository, after every download guard (quarantine,
 * deny policies); 404 when no live version of the name has that file.
 */
export async function openTarball(
  ctx: ServiceContext,
  repo: NpmRepo,
  name: string,
  filename: string,
  /** The version row of the file, when the caller has just read it. */
  known?: NpmVersionRecord,
): Promise<NpmTarball> {
  const row =
    known?.filename === filename
      ? known
      : (await loadVersions(ctx, repo, name)).find((r) => r.filename === filename);
  const pkg = row && (await findLivePackageById(ctx, repo.access.repo.id, row.id));
  if (!row || !pkg) throw notFound(`Tarball '${filename}' of '${name}' in ${repo.owner}/${repo.slug}`);
  for (const guard of DOWNLOAD_GUARDS) await guard(ctx, pkg);
  const file: DownloadFile = {
    packageId: row.id,
    filename: row.filename,
    size: row.size,
    sha256: row.blobSha256,
    md5: '',
    sha1: row.sha1,
  };
  return { file, open: () => openDownload(ctx, file) };
}
