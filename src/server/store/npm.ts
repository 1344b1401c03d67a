/**
 * The rows the native npm registry reads and writes: the live npm versions of one package name
 * in a repository (with their blob's checksums, dist-tags and deprecation), the names a search
 * finds, and deprecation messages. Packuments are built from these rows.
 */

import { sql, type SqlBool } from 'kysely';
import { decodeObject } from './codecs.js';
import { compiledOnce } from './compiled-once.js';
import { liveIndexCondition } from './packages.js';
import { dbOf, type DbSource } from './source.js';

/** One live npm version of a package as the registry serves it. */
export interface NpmVersionRecord {
  id: string;
  name: string;
  version: string;
  filename: string;
  blobSha256: string;
  sha1: string;
  size: number;
  description: string;
  license: string;
  uploadedAt: string;
  uploader: string;
  isQuarantined: boolean;
  metadata: Record<string, unknown>;
  /** The version's deprecation message, or null. */
  deprecated: string | null;
  /** The dist-tags (the package's `version` tags) this version holds. */
  distTags: string[];
}

// Compiled once: every packument and tarball request runs it. The version's dist-tags come in
// the same statement (one row per tag, folded below) rather than in a second query.
const selectNpmVersions = compiledOnce((db, p: { repoId: string; nameKey: string }) =>
  db
    .selectFrom('packages')
    .innerJoin('blobs', 'blobs.sha256', 'packages.blob_sha256')
    .leftJoin('npm_deprecations', 'npm_deprecations.package_id', 'packages.id')
    .leftJoin('package_tags', (join) =>
      join.onRef('package_tags.package_id', '=', 'packages.id').on('package_tags.kind', '=', 'version'),
    )
    .select([
      'packages.id',
      'packages.name',
      'packages.version',
      'packages.filename',
      'packages.blob_sha256',
      'blobs.sha1',
      'packages.size',
      'packages.description',
      'packages.license',
      'packages.uploaded_at',
      'packages.uploader',
      'packages.is_quarantined',
      'packages.metadata',
      'npm_deprecations.message',
      'package_tags.tag',
    ])
    .where('packages.repo_id', '=', p.repoId)
    .where('packages.format', '=', 'npm')
    .where('packages.name_key', '=', p.nameKey)
    .where('packages.deleted_at', 'is', null)
    // Written out (not bound) so that SQLite sees the partial index packages_live_version covers
    // the query; with an ORDER BY it would walk every package of the repository in upload order
    // instead, so the rows are ordered here.
    .where(liveIndexCondition('npm')),
);

type NpmVersionRow = Awaited<ReturnType<typeof selectNpmVersions>>['rows'][number];

/**
 * A version record whose manifest (the `metadata` column, the largest part of the row) is parsed
 * only when read: a packument served from its cache needs only the other fields.
 */
function versionRecord(r: NpmVersionRow): NpmVersionRecord {
  let metadata: Record<string, unknown> | undefined;
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    filename: r.filename,
    blobSha256: r.blob_sha256,
    sha1: r.sha1,
    size: Number(r.size),
    description: r.description,
    license: r.license,
    uploadedAt: r.uploaded_at,
    uploader: r.uploader,
    isQuarantined: r.is_quarantined === 1,
    get metadata() {
      return (metadata ??= decodeObject(r.metadata) ?? {});
    },
    deprecated: r.message ?? null,
    distTags: [],
  };
}

/** The live npm versions of `nameKey` in a repository, oldest upload first. */
export async function listNpmVersions(
  src: DbSource,
  repoId: string,
  nameKey: string,
): Promise<NpmVersionRecord[]> {
  const { rows } = await selectNpmVersions(src, { repoId, nameKey });
  if (rows.length === 0) return [];
  const byId = new Map<string, NpmVersionRecord>();
  for (const r of rows) {
    let record = byId.get(r.id);
    if (!record) {
      record = versionRecord(r);
      byId.set(r.id, record);
    }
    if (r.tag !== null) record.distTags.push(r.tag);
  }
  const records = [...byId.values()];
  // In name order, so that what is derived from them (the packument's revision) does not depend
  // on the order the database happens to return the joined rows in.
  for (const r of records) r.distTags.sort();
  records.sort((a, b) =>
    a.uploadedAt === b.uploadedAt ? (a.id < b.id ? -1 : 1) : a.uploadedAt < b.uploadedAt ? -1 : 1,
  );
  return records;
}

/** What a packument's revision is made of: one live version's id, tags and deprecation. */
export type NpmRevisionRecord = Pick<NpmVersionRecord, 'id' | 'version' | 'deprecated' | 'distTags'>;

// Read on every packument request, before the cache is asked. It names only columns that come
// before `metadata` in the table (a manifest, often several KiB, spilling onto overflow pages):
// SQLite then reads no overflow page, where the full statement above reads every version's.
const selectNpmRevisions = compiledOnce((db, p: { repoId: string; nameKey: string }) =>
  db
    .selectFrom('packages')
    .leftJoin('npm_deprecations', 'npm_deprecations.package_id', 'packages.id')
    .leftJoin('package_tags', (join) =>
      join.onRef('package_tags.package_id', '=', 'packages.id').on('package_tags.kind', '=', 'version'),
    )
    .select(['packages.id', 'packages.version', 'npm_deprecations.message', 'package_tags.tag'])
    .where('packages.repo_id', '=', p.repoId)
    .where('packages.format', '=', 'npm')
    .where('packages.name_key', '=', p.nameKey)
    .where('packages.deleted_at', 'is', null)
    // As above: the partial index packages_live_version covers the query.
    .where(liveIndexCondition('npm')),
);

/**
 * The live npm versions of `nameKey` in a repository as far as a packument's revision needs them
 * (ids, versions, dist-tags, deprecations), in id order; {@link listNpmVersions} reads the rest.
 */
export async function listNpmRevisions(
  src: DbSource,
  repoId: string,
  nameKey: string,
): Promise<NpmRevisionRecord[]> {
  const { rows } = await selectNpmRevisions(src, { repoId, nameKey });
  const byId = new Map<string, NpmRevisionRecord>();
  for (const r of rows) {
    let record = byId.get(r.id);
    if (!record) {
      record = { id: r.id, version: r.version, deprecated: r.message ?? null, distTags: [] };
      byId.set(r.id, record);
    }
    if (r.tag !== null) record.distTags.push(r.tag);
  }
  for (const r of byId.values()) r.distTags.sort();
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Sets (a non-empty message) or clears (null) the deprecation of a package version. */
export async function setNpmDeprecation(
  src: DbSource,
  packageId: string,
  message: string | null,
  at: string,
): Promise<void> {
  const db = dbOf(src);
  if (message === null) {
    await db.deleteFrom('npm_deprecations').where('package_id', '=', packageId).execute();
    return;
  }
  await db
    .insertInto('npm_deprecations')
    .values({ package_id: packageId, message, updated_at: at })
    .onConflict((oc) => oc.column('package_id').doUpdateSet({ message, updated_at: at }))
    .execute();
}

/** A substring LIKE pattern (escape character `!`) for literal text. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The folded names of live npm packages in a repository whose name or summary contains `text`
 * (case-insensitive), in name order, `size` of them from `from`.
 */
export async function searchNpmNames(
  src: DbSource,
  repoId: string,
  text: string,
  page: { from: number; size: number },
): Promise<{ nameKeys: string[]; total: number }> {
  const db = dbOf(src);
  const pattern = containsPattern(text);
  const base = db
    .selectFrom('packages')
    .where('repo_id', '=', repoId)
    .where('format', '=', 'npm')
    .where('deleted_at', 'is', null)
    // lower() and an explicit ESCAPE read the same in SQLite and PostgreSQL.
    .where(sql<SqlBool>`(name_key like ${pattern} escape '!' or lower(summary) like ${pattern} escape '!')`);
  const names = await base
    .select('name_key')
    .distinct()
    .orderBy('name_key')
    .limit(page.size)
    .offset(page.from)
    .execute();
  const count = await base
    .select((eb) => eb.fn.count<string | number>('name_key').distinct().as('n'))
    .executeTakeFirst();
  return { nameKeys: names.map((r) => r.name_key), total: Number(count?.n ?? 0) };
}
