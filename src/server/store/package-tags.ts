/** Package tags: `info` tags anyone with Write sets, and `version` tags (npm dist-tags) one version holds. */

import type { Selectable } from 'kysely';
import { liveIndexCondition } from './packages.js';
import { dbOf, type DbSource } from './source.js';
import type { PackagesTable, PackageTagsTable } from './schema.js';

/** A tag of a package. */
export type TagRecord = Selectable<PackageTagsTable>;

/** The tags of several packages, by package id (packages without tags are left out). */
export async function loadTags(src: DbSource, packageIds: string[]): Promise<Map<string, TagRecord[]>> {
  const db = dbOf(src);
  const out = new Map<string, TagRecord[]>();
  if (packageIds.length === 0) return out;
  const rows = await db
    .selectFrom('package_tags')
    .selectAll()
    .where('package_id', 'in', packageIds)
    .execute();
  for (const r of rows) (out.get(r.package_id) ?? out.set(r.package_id, []).get(r.package_id)!).push(r);
  return out;
}

/** Gives a package a tag unless it has it already; `immutable` marks it so, new or not. */
export async function addTag(
  src: DbSource,
  packageId: string,
  tag: string,
  kind: TagRecord['kind'],
  immutable: boolean,
): Promise<void> {
  const db = dbOf(src);
  await db
    .insertInto('package_tags')
    .values({ package_id: packageId, tag, kind, immutable: immutable ? 1 : 0 })
    .onConflict((oc) => oc.columns(['package_id', 'tag']).doNothing())
    .execute();
  if (immutable) {
    await db
      .updateTable('package_tags')
      .set({ immutable: 1 })
      .where('package_id', '=', packageId)
      .where('tag', '=', tag)
      .execute();
  }
}

/** Takes the named tags off a package. */
export async function deleteTags(src: DbSource, packageId: string, tags: string[]): Promise<void> {
  const db = dbOf(src);
  if (tags.length === 0) return;
  await db.deleteFrom('package_tags').where('package_id', '=', packageId).where('tag', 'in', tags).execute();
}

/** The immutable tags of a package, by name. */
export async function immutableTagsOf(src: DbSource, packageId: string): Promise<string[]> {
  const db = dbOf(src);
  const rows = await db
    .selectFrom('package_tags')
    .select('tag')
    .where('package_id', '=', packageId)
    .where('immutable', '=', 1)
    .orderBy('tag')
    .execute();
  return rows.map((r) => r.tag);
}

/**
 * Which other live versions of `pkg` (same repository, format and name) hold any of the version
 * tags `tags`: one row per package and tag.
 */
export async function versionTagHolders(
  src: DbSource,
  pkg: Pick<Selectable<PackagesTable>, 'id' | 'repo_id' | 'format' | 'name_key'>,
  tags: string[],
): Promise<{ id: string; tag: string }[]> {
  const db = dbOf(src);
  if (tags.length === 0) return [];
  return db
    .selectFrom('package_tags')
    .innerJoin('packages', 'packages.id', 'package_tags.package_id')
    .select(['packages.id', 'package_tags.tag'])
    .where('packages.repo_id', '=', pkg.repo_id)
    .where('packages.format', '=', pkg.format)
    .where('packages.name_key', '=', pkg.name_key)
    .where('packages.deleted_at', 'is', null)
    .where(liveIndexCondition(pkg.format))
    .where('packages.id', '!=', pkg.id)
    .where('package_tags.kind', '=', 'version')
    .where('package_tags.tag', 'in', tags)
    .execute();
}
