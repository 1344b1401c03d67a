/**
 * Packages: one row per package version and file. Lookups, the conditional writes that keep
 * concurrent changes honest (each says whether it applied), listings and the rows a package view
 * is built from. `metadata` and `identity` are parsed here; callers never see their text.
 */

import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import { decodeObject, encodeNullableObject, encodeObject } from './codecs.js';
import { compiledOnce } from './compiled-once.js';
import { dbOf, type DbSource } from './source.js';
import {
  filterSql,
  PACKAGE_SORT_COLUMNS,
  type PackageFilter,
  type PackageSortKey,
} from './package-search.js';
import { readableRepoIds, type Reader } from './readable-repos.js';
import type { PackagesTable } from './schema.js';

/** A package row with its JSON columns parsed. */
export type PackageRecord = Omit<Selectable<PackagesTable>, 'metadata' | 'identity'> & {
  /** Format-specific metadata read from the artifact (`{}` when unreadable). */
  metadata: Record<string, unknown>;
  /** The CI identity of the uploader, or null (uploaded with a key, or unreadable). */
  identity: Record<string, unknown> | null;
};

/** The sync-state columns a write may set together. */
export type SyncState = Pick<
  PackagesTable,
  'status' | 'stage' | 'status_reason' | 'status_updated_at' | 'stage_updated_at' | 'sync_finished_at'
>;

function decodePackage<T extends Selectable<PackagesTable>>(
  row: T,
): Omit<T, 'metadata' | 'identity'> & Pick<PackageRecord, 'metadata' | 'identity'> {
  return { ...row, metadata: decodeObject(row.metadata) ?? {}, identity: decodeObject(row.identity) };
}

/** The live packages of a repository whose id or slug is `identifier` (at most one of each). */
export async function findLivePackagesByIdOrSlug(
  src: DbSource,
  repoId: string,
  identifier: string,
): Promise<PackageRecord[]> {
  const db = dbOf(src);
  const rows = await db
    .selectFrom('packages')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('id', '=', identifier), eb('slug', '=', identifier)]))
    .execute();
  return rows.map(decodePackage);
}

/** The live package `id` of a repository, if it is there. */
export async function findLivePackageById(
  src: DbSource,
  repoId: string,
  id: string,
): Promise<PackageRecord | undefined> {
  const row = (await selectLivePackage(src, { repoId, id })).rows[0];
  return row && decodePackage(row);
}

// Compiled once: every download runs it.
const selectLivePackage = compiledOnce((db, p: { repoId: string; id: string }) =>
  db
    .selectFrom('packages')
    .selectAll()
    .where('id', '=', p.id)
    .where('repo_id', '=', p.repoId)
    .where('deleted_at', 'is', null),
);

/** The package `id`, live or not; throws when there is no such row. */
export async function getPackage(src: DbSource, id: string): Promise<PackageRecord> {
  const db = dbOf(src);
  return decodePackage(
    await db.selectFrom('packages').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  );
}

/**
 * The condition of the partial unique index holding the live packages of `format`, written out:
 * SQLite uses a partial index only for a query that states the index's condition, and a format
 * bound as a parameter does not. A lookup of one name would otherwise read every package of the
 * repository.
 */
export function liveIndexCondition(format: string): RawBuilder<SqlBool> {
  return format === 'python'
    ? sql<SqlBool>`packages.format = 'python'`
    : sql<SqlBool>`packages.format <> 'python'`;
}

/**
 * The live package with the same format, name and version in a repository, if any. A Python
 * release holds several files (sdist, wheels), so for `python` the file name must match too.
 */
export async function findLiveVersion(
  src: DbSource,
  repoId: string,
  pkg: Pick<PackageRecord, 'format' | 'name_key' | 'version' | 'filename'>,
): Promise<PackageRecord | undefined> {
  const db = dbOf(src);
  let query = db
    .selectFrom('packages')
    .selectAll()
    .where('repo_id', '=', repoId)
    .where('format', '=', pkg.format)
    .where('name_key', '=', pkg.name_key)
    .where('version', '=', pkg.version)
    .where('deleted_at', 'is', null)
    .where(liveIndexCondition(pkg.format));
  if (pkg.format === 'python') query = query.where('filename', '=', pkg.filename);
  const row = await query.executeTakeFirst();
  return row && decodePackage(row);
}

/** The packages of an organisation, live or not, in any repository, whose id or slug is `identifier`. */
export async function findOrgPackagesByIdOrSlug(
  src: DbSource,
  orgId: string,
  identifier: string,
): Promise<Pick<PackageRecord, 'id' | 'repo_id' | 'slug' | 'deleted_at' | 'format' | 'name' | 'version'>[]> {
  const db = dbOf(src);
  return db
    .selectFrom('packages')
    .select(['id', 'repo_id', 'slug', 'deleted_at', 'format', 'name', 'version'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('id', '=', identifier), eb('slug', '=', identifier)]))
    .execute();
}

/** True when a live package of the repository uses `slug`. */
export async function isPackageSlugTaken(src: DbSource, repoId: string, slug: string): Promise<boolean> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('packages')
    .select('id')
    .where('repo_id', '=', repoId)
    .where('slug', '=', slug)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Adds a package; a live one of the same version in the repository is a unique violation. */
export async function insertPackage(src: DbSource, pkg: PackageRecord): Promise<void> {
  const db = dbOf(src);
  await db
    .insertInto('packages')
    .values({ ...pkg, metadata: encodeObject(pkg.metadata), identity: encodeNullableObject(pkg.identity) })
    .execute();
}

/**
 * Soft-deletes a live package with `status` (its row, tags and trail stay); with `unlocked`, only
 * while it is unquarantined and carries no immutable tag. False when it did not apply.
 */
export async function softDeletePackage(
  src: DbSource,
  id: string,
  at: string,
  status: number,
  unlocked = false,
): Promise<boolean> {
  const db = dbOf(src);
  let q = db
    .updateTable('packages')
    .set({ deleted_at: at, status, status_updated_at: at })
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (unlocked) {
    q = q
      .where('is_quarantined', '=', 0)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('package_tags')
              .select('package_tags.tag')
              .whereRef('package_tags.package_id', '=', 'packages.id')
              .where('package_tags.immutable', '=', 1),
          ),
        ),
      );
  }
  return (await q.executeTakeFirst()).numUpdatedRows === 1n;
}

/**
 * Sets fields of a package while it is live in `repoId` (and, when `quarantined` is given, in that
 * quarantine state). False when it did not apply.
 */
export async function updateLivePackage(
  src: DbSource,
  where: { id: string; repoId: string; quarantined?: boolean },
  set: Partial<
    SyncState & Pick<PackagesTable, 'repo_id' | 'slug' | 'is_quarantined' | 'security_scan_status'>
  >,
): Promise<boolean> {
  const db = dbOf(src);
  let q = db
    .updateTable('packages')
    .set(set)
    .where('id', '=', where.id)
    .where('repo_id', '=', where.repoId)
    .where('deleted_at', 'is', null);
  if (where.quarantined !== undefined) q = q.where('is_quarantined', '=', where.quarantined ? 1 : 0);
  return (await q.executeTakeFirst()).numUpdatedRows === 1n;
}

/** Sets the security scan status of a live package, wherever it is. */
export async function setScanStatus(src: DbSource, id: string, status: string): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('packages')
    .set({ security_scan_status: status })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
}

/**
 * One page of the ids of live packages matching `filter`, in `order` (then by id), with the
 * number of all that match: of one repository (`scope` its id), or of the org's repositories a
 * reader may read.
 */
export async function listLivePackageIds(
  src: DbSource,
  scope: string | { orgId: string; reader: Reader },
  filter: PackageFilter,
  order: { key: PackageSortKey; desc: boolean }[],
  window: { offset: number; size: number },
): Promise<{ ids: string[]; count: number }> {
  const db = dbOf(src);
  let base = db
    .selectFrom('packages')
    .where('packages.deleted_at', 'is', null)
    .where((eb) => filterSql(eb, filter));
  // An org-wide listing covers what the security overview counts: the repositories the reader may read.
  base =
    typeof scope === 'string'
      ? base.where('packages.repo_id', '=', scope)
      : base
          .where('packages.org_id', '=', scope.orgId)
          .where('packages.repo_id', 'in', readableRepoIds(db, scope.reader, scope.orgId));
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  let page = base.select('packages.id');
  for (const o of order) page = page.orderBy(sql.ref(PACKAGE_SORT_COLUMNS[o.key]), o.desc ? 'desc' : 'asc');
  const rows = await page.orderBy('packages.id').limit(window.size).offset(window.offset).execute();
  return { ids: rows.map((r) => r.id), count: Number(total.n) };
}

/** True when the package `id` (live or not) matches `filter`. */
export async function packageMatchesFilter(
  src: DbSource,
  id: string,
  filter: PackageFilter,
): Promise<boolean> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('packages')
    .select('packages.id')
    .where('packages.id', '=', id)
    .where((eb) => filterSql(eb, filter))
    .executeTakeFirst();
  return row !== undefined;
}

/** A package row with what its API view needs from the org, repositories and blob tables. */
export interface PackageViewRecord extends PackageRecord {
  org_slug: string;
  repo_slug: string;
  origin_slug: string | null;
  md5: string;
  sha1: string;
  sha512: string | null;
}

/** The view rows of the given packages (live or deleted), in no set order. */
export async function loadPackageViewRows(src: DbSource, ids: string[]): Promise<PackageViewRecord[]> {
  const db = dbOf(src);
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('packages')
    .innerJoin('orgs', 'orgs.id', 'packages.org_id')
    .innerJoin('repos', 'repos.id', 'packages.repo_id')
    .innerJoin('blobs', 'blobs.sha256', 'packages.blob_sha256')
    .leftJoin('repos as origin', 'origin.id', 'packages.origin_repo_id')
    .selectAll('packages')
    .select([
      'orgs.slug as org_slug',
      'repos.slug as repo_slug',
      'origin.slug as origin_slug',
      'blobs.md5',
      'blobs.sha1',
      'blobs.sha512',
    ])
    .where('packages.id', 'in', ids)
    .execute();
  return rows.map(decodePackage);
}

/** How many live packages use each of the given blobs (blobs none uses are left out). */
export async function liveBlobUsers(src: DbSource, sha256s: string[]): Promise<Map<string, number>> {
  const db = dbOf(src);
  if (sha256s.length === 0) return new Map();
  const users = await db
    .selectFrom('packages')
    .select(['blob_sha256', (eb) => eb.fn.countAll().as('n')])
    .where('blob_sha256', 'in', sha256s)
    .where('deleted_at', 'is', null)
    .groupBy('blob_sha256')
    .execute();
  return new Map(users.map((u) => [u.blob_sha256, Number(u.n)]));
}

/** The checksums and size of a stored blob; throws when it has no row. */
export async function getBlob(
  src: DbSource,
  sha256: string,
): Promise<{ sha256: string; size: number; md5: string; sha1: string }> {
  const db = dbOf(src);
  const blob = await db
    .selectFrom('blobs')
    .select(['sha256', 'size', 'md5', 'sha1'])
    .where('sha256', '=', sha256)
    .executeTakeFirstOrThrow();
  return { ...blob, size: Number(blob.size) };
}

/**
 * A completed upload of a repository, not yet claimed, with its blob: what reading a file's
 * metadata before the create transaction needs. Undefined when there is none.
 */
export async function peekCompleteUpload(
  src: DbSource,
  repoId: string,
  uploadId: string,
): Promise<{ filename: string; sha256: string; size: number } | undefined> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('uploads')
    .innerJoin('blobs', 'blobs.sha256', 'uploads.blob_sha256')
    .select(['uploads.filename', 'blobs.sha256', 'blobs.size'])
    .where('uploads.id', '=', uploadId)
    .where('uploads.repo_id', '=', repoId)
    .where('uploads.state', '=', 'complete')
    .executeTakeFirst();
  return row && { filename: row.filename, sha256: row.sha256, size: Number(row.size) };
}
