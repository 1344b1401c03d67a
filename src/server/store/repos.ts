/**
 * Organisations and repositories: lookups, writes, listings and the per-repository package
 * figures the API shows. Every function takes the database or a transaction of it.
 */

import type { Selectable } from 'kysely';
import type { PromotionRules } from '../../api/repos.js';
import { decodePromotionRules, encodeObject } from './codecs.js';
import { compiledOnce } from './compiled-once.js';
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

// Compiled once: every request that names an organisation runs it.
const selectOrgBySlug = compiledOnce((db, p: { slug: string }) =>
  db
    .selectFrom('orgs')
    .selectAll()
    // Clients name an organisation by slug or by slug_perm alike.
    .where((eb) => eb.or([eb('slug', '=', p.slug), eb('id', '=', p.slug)]))
    .orderBy('created_at')
    .limit(1),
);

/** The organisation `slug`, if there is one. */
export async function findOrgBySlug(src: DbSource, slug: string): Promise<OrgRecord | undefined> {
  return (await selectOrgBySlug(src, { slug })).rows[0];
}

// The organisation and its live repository in one statement: each read of a registry or an
// index names both, and one round trip is half the cost of two. Repository columns come
// prefixed (`r_…`) beside the organisation's; the left join keeps the organisation when the
// repository does not exist, so the caller can tell the two 404s apart.
const selectOrgAndRepo = compiledOnce((db, p: { owner: string; slug: string }) =>
  db
    .selectFrom('orgs')
    .leftJoin('repos', (join) =>
      join
        .onRef('repos.org_id', '=', 'orgs.id')
        .on((eb) => eb.or([eb('repos.slug', '=', p.slug), eb('repos.id', '=', p.slug)]))
        .on('repos.deleted_at', 'is', null),
    )
    .select([
      'orgs.id',
      'orgs.slug',
      'orgs.name',
      'orgs.created_at',
      'repos.id as r_id',
      'repos.org_id as r_org_id',
      'repos.slug as r_slug',
      'repos.name as r_name',
      'repos.description as r_description',
      'repos.repository_type as r_repository_type',
      'repos.created_at as r_created_at',
      'repos.created_by as r_created_by',
      'repos.deleted_at as r_deleted_at',
      'repos.promotion_rules as r_promotion_rules',
      // What most reads would otherwise ask in two more queries, only to learn there is none.
      (eb) =>
        eb
          .selectFrom('upstreams')
          .select(eb.fn.countAll<number | string | bigint>().as('n'))
          .whereRef('upstreams.repo_id', '=', 'repos.id')
          .where('upstreams.deleted_at', 'is', null)
          .as('r_upstreams'),
      (eb) =>
        eb
          .selectFrom('policies')
          .select(eb.fn.countAll<number | string | bigint>().as('n'))
          .whereRef('policies.org_id', '=', 'orgs.id')
          .where('policies.kind', 'in', ['vulnerability', 'deny'])
          .as('blocking_policies'),
    ])
    // No ORDER BY: at most two organisations and two repositories of each match (slugs and ids
    // are unique), and sorting them in SQL costs SQLite a temporary b-tree that would double the
    // statement's time; they are ordered below instead.
    .where((eb) => eb.or([eb('orgs.slug', '=', p.owner), eb('orgs.id', '=', p.owner)])),
);

/**
 * What a read of a repository needs to know before asking more, read with the repository: a
 * `false` lets it skip a query that would find nothing.
 */
export interface RepoReadFacts {
  /** Whether the repository has live upstreams (of any format; active or not). */
  hasUpstreams: boolean;
  /** Whether its organisation has vulnerability or deny policies (the ones that can block). */
  hasBlockingPolicies: boolean;
}

function byOrgThenRepoAge(
  a: { created_at: string; r_created_at: string | null },
  b: { created_at: string; r_created_at: string | null },
): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return (a.r_created_at ?? '') < (b.r_created_at ?? '') ? -1 : 1;
}

/**
 * The organisation `owner` (by slug or id) and its live repository `slug` (by slug or id), as
 * {@link findOrgBySlug} then {@link findLiveRepo} would find them, in one query: undefined when
 * there is no such organisation, `repo` undefined when it has no such live repository.
 */
export async function findOrgAndLiveRepo(
  src: DbSource,
  owner: string,
  slug: string,
): Promise<{ org: OrgRecord; repo: RepoRecord | undefined; facts: RepoReadFacts } | undefined> {
  const { rows } = await selectOrgAndRepo(src, { owner, slug });
  // The first organisation as findOrgBySlug picks it, then its first repository as findLiveRepo does.
  const row = rows.length < 2 ? rows[0] : [...rows].sort(byOrgThenRepoAge)[0];
  if (!row) return undefined;
  const org: OrgRecord = { id: row.id, slug: row.slug, name: row.name, created_at: row.created_at };
  const facts: RepoReadFacts = {
    hasUpstreams: Number(row.r_upstreams ?? 0) > 0,
    hasBlockingPolicies: Number(row.blocking_policies ?? 0) > 0,
  };
  if (row.r_id === null) return { org, repo: undefined, facts };
  const repo = decodeRepo({
    id: row.r_id,
    org_id: row.r_org_id!,
    slug: row.r_slug!,
    name: row.r_name!,
    description: row.r_description!,
    repository_type: row.r_repository_type!,
    created_at: row.r_created_at!,
    created_by: row.r_created_by,
    deleted_at: row.r_deleted_at,
    promotion_rules: row.r_promotion_rules!,
  });
  return { org, repo, facts };
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
