import {
  SLUG_MAX,
  SLUG_PATTERN,
  SLUG_RULE,
  type Repository,
  type RepositoryCreate,
  type RepositoryUpdate,
} from '../../api/repos.js';
import { serviceSlugsById } from '../store/access.js';
import {
  findOrgAndLiveRepo,
  findOrgBySlug,
  insertRepo,
  isRepoSlugTaken,
  listReadableRepos,
  repoPackageStats,
  softDeleteRepo,
  updateRepo as writeRepo,
  type OrgRecord,
  type RepoReadFacts,
  type RepoRecord,
} from '../store/repos.js';
import { inTransaction } from '../store/source.js';
import {
  assertOrgAccess,
  assertPrivilege,
  privilegeOn,
  requirePrincipal,
  type Actor,
  type Principal,
  type Privilege,
} from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { invalidField, notFound, ServiceError } from './errors.js';
import { newId, slugify } from './ids.js';
import { checkPromotionRules } from './promotion-rules.js';
import { formatSize } from './sizes.js';

/** An organisation row. */
export type OrgRow = OrgRecord;
/** A repository row. */
export type RepoRow = RepoRecord;

/** A repository the caller may use, with its org and the caller's effective privilege. */
export interface RepoAccess {
  org: OrgRow;
  repo: RepoRow;
  privilege: Privilege;
  /** Read with the repository when it was resolved: lets reads skip queries that find nothing. */
  facts?: RepoReadFacts;
}

/** Finds an organisation by slug, or null. */
export async function findOrg(ctx: ServiceContext, slug: string): Promise<OrgRow | null> {
  return (await findOrgBySlug(ctx, slug)) ?? null;
}

/**
 * The org behind an org-level endpoint: 401 for an anonymous caller, then 404 when the org does
 * not exist, then 403 when the caller belongs to another org (or is not a Manager and `manager`
 * is set).
 */
export async function resolveOrg(
  ctx: ServiceContext,
  actor: Actor,
  slug: string,
  options: { manager: boolean },
): Promise<{ org: OrgRow; principal: Principal }> {
  requirePrincipal(actor);
  const org = await findOrg(ctx, slug);
  if (!org) throw notFound(`Organisation '${slug}'`);
  return { org, principal: assertOrgAccess(actor, org.id, options.manager) };
}

/**
 * The live repository `owner/slug` if the caller holds at least `needed` on it. An anonymous
 * caller gets 401 both for a private repository and for one that does not exist (so that
 * probing reveals nothing); an authenticated caller gets 404 for a missing one and 403 when its
 * privilege is too low.
 */
export async function resolveRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  needed: Privilege,
): Promise<RepoAccess> {
  const found = await findOrgAndLiveRepo(ctx, owner, slug);
  const org = found?.org;
  const repo = found?.repo;
  if (!org || !repo) {
    requirePrincipal(actor);
    throw notFound(org ? `Repository '${owner}/${slug}'` : `Organisation '${owner}'`);
  }
  const privilege = await privilegeOn(ctx, actor.principal, repo);
  assertPrivilege(actor, privilege, needed);
  return { org, repo, privilege: privilege!, facts: found.facts };
}

/** True when a database error is a unique-constraint violation (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  // Checked by shape, not `instanceof Error`: a driver's error class may come from another realm
  // (a native module loaded once per process under several VM contexts).
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = String(err.code);
  return (
    code === '23505' || code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** Checks a slug given by a caller; returns it or throws 422 naming `field`. */
export function checkSlug(field: string, slug: string): string {
  if (slug.length > SLUG_MAX) throw invalidField(field, `'${slug}' is longer than ${SLUG_MAX} characters.`);
  if (!SLUG_PATTERN.test(slug)) throw invalidField(field, `'${slug}' is not a valid slug: use ${SLUG_RULE}`);
  return slug;
}

/** Checks a name: not blank once trimmed. Returns it trimmed. */
export function checkName(field: string, name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidField(field, 'must not be blank.');
  return trimmed;
}

async function assertSlugFree(
  ctx: ServiceContext,
  org: OrgRow,
  slug: string,
  exceptId?: string,
): Promise<void> {
  if (await isRepoSlugTaken(ctx, org.id, slug, exceptId)) throw slugTaken(org, slug);
}

function slugTaken(org: OrgRow, slug: string): ServiceError {
  return new ServiceError('conflict', `A repository with slug '${slug}' already exists in '${org.slug}'.`, {
    slug: [`'${slug}' is already taken in this organisation.`],
  });
}

/** Renders repository rows with their package counts. */
async function toRepositories(ctx: ServiceContext, org: OrgRow, rows: RepoRow[]): Promise<Repository[]> {
  if (rows.length === 0) return [];
  const byRepo = await repoPackageStats(
    ctx,
    rows.map((r) => r.id),
  );
  const creatorIds = [...new Set(rows.map((r) => r.created_by).filter((id): id is string => id !== null))];
  const creatorSlug = await serviceSlugsById(ctx, creatorIds);
  return rows.map((r) => {
    const s = byRepo.get(r.id);
    const self = `${ctx.baseUrl}/repos/${org.slug}/${r.slug}/`;
    return {
      name: r.name,
      slug: r.slug,
      slug_perm: r.id,
      description: r.description,
      namespace: org.slug,
      namespace_url: `${ctx.baseUrl}/namespaces/${org.slug}/`,
      repository_type: r.repository_type === 'Public' ? 1 : 2,
      repository_type_str: r.repository_type,
      is_public: r.repository_type === 'Public',
      is_private: r.repository_type === 'Private',
      package_count: s?.count ?? 0,
      package_group_count: s?.groups ?? 0,
      num_quarantined_packages: s?.quarantined ?? 0,
      num_downloads: 0,
      size: s?.size ?? 0,
      size_str: formatSize(s?.size ?? 0),
      created_at: r.created_at,
      created_by: r.created_by ? (creatorSlug.get(r.created_by) ?? null) : null,
      self_url: self,
      privileges_url: `${self}privileges`,
      promotion_rules: r.promotion_rules,
      broadcast_state: 'Off' as const,
      tag_pre_releases_as_latest: false as const,
    };
  });
}

/** Creates a repository (org Manager only). The slug comes from the name when not given. */
export async function createRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  input: RepositoryCreate,
): Promise<Repository> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: true });
  const name = checkName('name', input.name);
  const slug = input.slug === undefined ? slugify(name, SLUG_MAX) : checkSlug('slug', input.slug);
  const rules = checkPromotionRules(input.promotion_rules ?? {});
  await assertSlugFree(ctx, org, slug);
  const now = ctx.clock().toISOString();
  const row: RepoRow = {
    id: newId(),
    org_id: org.id,
    slug,
    name,
    description: input.description ?? '',
    repository_type: input.repository_type_str ?? 'Private',
    created_at: now,
    created_by: principal.serviceId,
    deleted_at: null,
    promotion_rules: rules,
  };
  try {
    await inTransaction(ctx, async (trx) => {
      await insertRepo(trx, row);
      await recordAudit(trx, actor, new Date(now), {
        orgId: org.id,
        repoId: row.id,
        event: 'repository.created',
        eventKind: 'create',
        object: slug,
        objectKind: 'repository',
        objectSlugPerm: row.id,
        context: {
          name,
          repository_type: row.repository_type,
          ...(Object.keys(rules).length > 0 ? { promotion_rules: rules } : {}),
        },
      });
    });
  } catch (err) {
    // Two creates racing for one slug: the partial unique index decides.
    if (isUniqueViolation(err)) throw slugTaken(org, slug);
    throw err;
  }
  return (await toRepositories(ctx, org, [row]))[0]!;
}

/** One page of the repositories of `owner` the caller may read, by slug, with the total count. */
export async function listRepos(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  window: { offset: number; size: number },
): Promise<{ items: Repository[]; count: number }> {
  const org = await findOrg(ctx, owner);
  if (!org) throw notFound(`Organisation '${owner}'`);
  const { rows, count } = await listReadableRepos(ctx, actor.principal, org.id, window);
  return { items: await toRepositories(ctx, org, rows), count };
}

/**
 * `GET /repos/` (what `cloudsmith list repos` without an owner asks): one page of the
 * repositories the caller may read in its own organisation.
 */
export async function listCallerRepos(
  ctx: ServiceContext,
  actor: Actor,
  window: { offset: number; size: number },
): Promise<{ items: Repository[]; count: number }> {
  return listRepos(ctx, actor, requirePrincipal(actor).orgSlug, window);
}

/** One repository the caller may read. */
export async function getRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<Repository> {
  const { org, repo } = await resolveRepo(ctx, actor, owner, slug, 'Read');
  return (await toRepositories(ctx, org, [repo]))[0]!;
}

/**
 * Changes a repository's name, slug, description, type or promotion rules (repo Admin); the audit
 * event records each changed field before and after.
 */
export async function updateRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  input: RepositoryUpdate,
): Promise<Repository> {
  const { org, repo } = await resolveRepo(ctx, actor, owner, slug, 'Admin');
  const next: RepoRow = { ...repo };
  if (input.name !== undefined) next.name = checkName('name', input.name);
  if (input.slug !== undefined) next.slug = checkSlug('slug', input.slug);
  if (input.description !== undefined) next.description = input.description;
  if (input.repository_type_str !== undefined) next.repository_type = input.repository_type_str;
  if (input.promotion_rules !== undefined) {
    next.promotion_rules = checkPromotionRules(input.promotion_rules);
  }
  if (next.slug !== repo.slug) await assertSlugFree(ctx, org, next.slug, repo.id);
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of ['name', 'slug', 'description', 'repository_type'] as const) {
    if (next[key] !== repo[key]) changes[key] = { from: repo[key], to: next[key] };
  }
  const rulesBefore = repo.promotion_rules;
  const rulesAfter = next.promotion_rules;
  if (JSON.stringify(rulesBefore) !== JSON.stringify(rulesAfter)) {
    changes.promotion_rules = { from: rulesBefore, to: rulesAfter };
  }
  if (Object.keys(changes).length > 0) {
    const now = ctx.clock();
    try {
      await inTransaction(ctx, async (trx) => {
        await writeRepo(trx, next);
        await recordAudit(trx, actor, now, {
          orgId: org.id,
          repoId: repo.id,
          event: 'repository.updated',
          eventKind: 'update',
          object: next.slug,
          objectKind: 'repository',
          objectSlugPerm: repo.id,
          context: { changes },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw slugTaken(org, next.slug);
      throw err;
    }
  }
  return (await toRepositories(ctx, org, [next]))[0]!;
}

/** Soft-deletes a repository (repo Admin); its slug becomes free for a new repository. */
export async function deleteRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<void> {
  const { org, repo } = await resolveRepo(ctx, actor, owner, slug, 'Admin');
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    await softDeleteRepo(trx, repo.id, now.toISOString());
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      repoId: repo.id,
      event: 'repository.deleted',
      eventKind: 'delete',
      object: repo.slug,
      objectKind: 'repository',
      objectSlugPerm: repo.id,
    });
  });
}
