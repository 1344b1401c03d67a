/**
 * Organisations and repositories: lookups, writes, listings and the per-repository package
 * figures the API shows. Every function takes the database or a transaction of it.
 */

import type { Selectable } from 'kysely';
import type { PromotionRules } from '../../api/repos.js';
import { decodePromotionRules, encodeObject } from './codecs.js';
import { dbOf, type DbSource } from './source.js';
import type { OrgsTable, ReposTable } from './schema.js';
import { readableRepoIds, type Reader } from './readable-repos.js';

/** An organisation row. */
export type OrgRecord = Selectable<OrgsTable>;

/** A repository row, its promotion rules parsed. */
export type RepoRecord = Omit<Selectable<ReposTable>, 'promotion_rules'> & {
  promotion_rules: PromotionRules;
};

function decodeRepo(row: Selectable<ReposTable>): RepoRecord {
  return { ...row, promotion_rules: decodePromotionRules(row.promotion_rules) };
}

/** The organisation `slug`, if there is one. */
export async function findOrgBySlug(src: DbSource, slug: string): Promise<OrgRecord | undefined> {
  const db = dbOf(src);
  // Clients name an organisation by slug or by slug_perm alike.
  return db
    .selectFrom('orgs')
    .selectAll()
    .where((eb) => eb.or([eb('slug', '=', slug), eb('id', '=', slug)]))
    .orderBy('created_at')
    .executeTakeFirst();
}

/** Adds an organisation. */
export async function insertOrg(src: DbSource, org: OrgRecord): Promise<void> {
  const db = dbOf(src);
  await db.insertInto('orgs').values(org).execute();
}

/** The live repository `slug` of an organisation, if there is one. */
export async function findLiveRepo(
  src: DbSource,
  orgId: string,
  slug: string,
): Promise<RepoRecord | undefined> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('repos')
    .selectAll()
    .where('org_id', '=', orgId)
    // Clients name a repository by slug or by slug_perm (what Terraform stores as the id).
    .where((eb) => eb.or([eb('slug', '=', slug), eb('id', '=', slug)]))
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .executeTakeFirst();
  return row && decodeRepo(row);
}

/** True when a live repository of the organisation (other than `exceptId`) uses `slug`. */
export async function isRepoSlugTaken(
  src: DbSource,
  orgId: string,
  slug: string,
  exceptId?: string,
): Promise<boolean> {
  const db = dbOf(src);
  let q = db
    .selectFrom('repos')
    .select('id')
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Adds a repository; a live one with the same slug is a unique violation. */
export async function insertRepo(src: DbSource, repo: RepoRecord): Promise<void> {
  const db = dbOf(src);
  await db
    .insertInto('repos')
    .values({ ...repo, promotion_rules: encodeObject(repo.promotion_rules) })
    .execute();
}

/** Writes a repository's editable fields. */
export async function updateRepo(
  src: DbSource,
  repo: Pick<RepoRecord, 'id' | 'name' | 'slug' | 'description' | 'repository_type' | 'promotion_rules'>,
): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('repos')
    .set({
      name: repo.name,
      slug: repo.slug,
      description: repo.description,
      repository_type: repo.repository_type,
      promotion_rules: encodeObject(repo.promotion_rules),
    })
    .where('id', '=', repo.id)
    .execute();
}

/** Soft-deletes a live repository (its slug becomes free). */
export async function softDeleteRepo(src: DbSource, repoId: string, at: string): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('repos')
    .set({ deleted_at: at })
    .where('id', '=', repoId)
    .where('deleted_at', 'is', null)
    .execute();
}

/** One page of the live repositories of an organisation a reader may read, by slug, with the total. */
export async function listReadableRepos(
  src: DbSource,
  reader: Reader,
  orgId: string,
  window: { offset: number; size: number },
): Promise<{ rows: RepoRecord[]; count: number }> {
  const db = dbOf(src);
  const base = db
    .selectFrom('repos')
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .where('id', 'in', readableRepoIds(db, reader, orgId));
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('slug').limit(window.size).offset(window.offset).execute();
  return { rows: rows.map(decodeRepo), count: Number(total.n) };
}

/** The slugs of the live repositories of an organisation a reader may read. */
export async function readableRepoSlugs(src: DbSource, reader: Reader, orgId: string): Promise<string[]> {
  const db = dbOf(src);
  const rows = await db
    .selectFrom('repos')
    .select('slug')
    .where('id', 'in', readableRepoIds(db, reader, orgId))
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((r) => r.slug);
}

/**
 * What a repository holds: live packages, how many distinct package names they carry (groups),
 * their total size and how many are quarantined.
 */
export interface RepoPackageStats {
  count: number;
  groups: number;
  size: number;
  quarantined: number;
}

/** The package figures of each repository given that has live packages, by repository id. */
export async function repoPackageStats(
  src: DbSource,
  repoIds: string[],
): Promise<Map<string, RepoPackageStats>> {
  const db = dbOf(src);
  if (repoIds.length === 0) return new Map();
  const stats = await db
    .selectFrom('packages')
    .select((eb) => [
      'repo_id',
      eb.fn.countAll().as('count'),
      eb.fn.count('name').distinct().as('groups'),
      eb.fn.sum('size').as('size'),
      eb.fn.sum('is_quarantined').as('quarantined'),
    ])
    .where('repo_id', 'in', repoIds)
    .where('deleted_at', 'is', null)
    .groupBy('repo_id')
    .execute();
  return new Map(
    stats.map((s) => [
      s.repo_id,
      {
        count: Number(s.count),
        groups: Number(s.groups),
        size: Number(s.size ?? 0),
        quarantined: Number(s.quarantined ?? 0),
      },
    ]),
  );
}

/**
 * Takes the repository's row lock until the transaction ends (a no-op update), so that writers
 * that must not interleave within one repository take turns under PostgreSQL's read committed.
 */
export async function lockRepo(src: DbSource, repoId: string): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('repos')
    .set((eb) => ({ slug: eb.ref('slug') }))
    .where('id', '=', repoId)
    .execute();
}
