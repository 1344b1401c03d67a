import type { PrivilegeEntry, RepositoryPrivileges } from '../../api/access.js';
import type { Privilege, Actor } from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { ServiceError, type FieldErrors } from './errors.js';
import { resolveRepo } from './repos.js';
import {
  clearRepoGrants,
  findLiveAccounts,
  findTeamsBySlug,
  listServiceGrants,
  listTeamGrants,
  putGrant,
} from '../store/access.js';
import { inTransaction } from '../store/source.js';

/** What a grant names on the wire. */
type GranteeKind = 'service' | 'user' | 'team';

/** A grant resolved to the ids it is stored under (users are accounts, stored as `service`). */
interface ResolvedGrant {
  kind: GranteeKind;
  id: string;
  slug: string;
  privilege: Privilege;
}

/** The grants on a repository (repo Admin): users, then service accounts, then teams, each group by slug. */
export async function getPrivileges(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
): Promise<RepositoryPrivileges> {
  const { repo: row } = await resolveRepo(ctx, actor, owner, repo, 'Admin');
  const services = await listServiceGrants(ctx, row.id);
  const teams = await listTeamGrants(ctx, row.id);
  return {
    privileges: [
      ...services.filter((s) => s.kind === 'user').map((s) => ({ privilege: s.privilege, user: s.slug })),
      ...services
        .filter((s) => s.kind === 'service')
        .map((s) => ({ privilege: s.privilege, service: s.slug })),
      ...teams.map((t) => ({ privilege: t.privilege, team: t.slug })),
    ],
  };
}

/**
 * Sets grants on a repository (repo Admin): `replace` makes the list the whole set (PUT),
 * `merge` adds the listed grants and changes the privilege of those already there (PATCH).
 * The whole list is checked before anything changes.
 */
export async function setPrivileges(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  input: RepositoryPrivileges,
  mode: 'replace' | 'merge',
): Promise<void> {
  const { org, repo: row } = await resolveRepo(ctx, actor, owner, repo, 'Admin');
  const grants = await resolveGrants(ctx, org.id, input.privileges);
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    if (mode === 'replace') await clearRepoGrants(trx, row.id);
    for (const g of grants)
      await putGrant(trx, row.id, g.kind === 'team' ? 'team' : 'service', g.id, g.privilege);
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      repoId: row.id,
      event: mode === 'replace' ? 'repository.privileges.replaced' : 'repository.privileges.updated',
      eventKind: 'update',
      object: row.slug,
      objectKind: 'repository',
      objectSlugPerm: row.id,
      context: { privileges: grants.map((g) => ({ privilege: g.privilege, [g.kind]: g.slug })) },
    });
  });
}

/** Checks every entry and looks up its user, service account or team in the org; one 422 names every problem. */
async function resolveGrants(
  ctx: ServiceContext,
  orgId: string,
  entries: PrivilegeEntry[],
): Promise<ResolvedGrant[]> {
  const fields: FieldErrors = {};
  const fail = (field: string, message: string): void => void (fields[field] ??= []).push(message);
  const wanted: { index: number; kind: GranteeKind; slug: string; privilege: Privilege }[] = [];
  const seen = new Map<string, number>();
  entries.forEach((e, i) => {
    const at = `privileges[${i}]`;
    const named = (['user', 'service', 'team'] as const).filter((k) => e[k] !== undefined);
    if (named.length !== 1) {
      fail(at, 'Give exactly one of "user", "service" or "team".');
      return;
    }
    const kind = named[0]!;
    const slug = e[kind]!;
    const key = `${kind}:${slug}`;
    const first = seen.get(key);
    if (first !== undefined) {
      fail(`${at}.${kind}`, `${kind} '${slug}' is already listed at privileges[${first}].`);
      return;
    }
    seen.set(key, i);
    wanted.push({ index: i, kind, slug, privilege: e.privilege });
  });

  const accountRefs = wanted.filter((w) => w.kind !== 'team').map((w) => w.slug);
  const teamSlugs = wanted.filter((w) => w.kind === 'team').map((w) => w.slug);
  const accounts = await findLiveAccounts(ctx, orgId, accountRefs);
  const teams = await findTeamsBySlug(ctx, orgId, teamSlugs);
  const ids = {
    service: new Map(accounts.filter((a) => a.kind === 'service').map((a) => [a.ref, a.id])),
    user: new Map(accounts.filter((a) => a.kind === 'user').map((a) => [a.ref, a.id])),
    team: new Map(teams.map((t) => [t.slug, t.id])),
  };
  const unknown: string[] = [];
  const grants: ResolvedGrant[] = [];
  for (const w of wanted) {
    const id = ids[w.kind].get(w.slug);
    if (id === undefined) {
      const what = w.kind === 'service' ? 'service account' : w.kind;
      unknown.push(`${what} '${w.slug}'`);
      fail(`privileges[${w.index}].${w.kind}`, `No ${what} '${w.slug}' in this organisation.`);
    } else grants.push({ kind: w.kind, id, slug: w.slug, privilege: w.privilege });
  }
  if (Object.keys(fields).length > 0) {
    const detail =
      unknown.length > 0 && unknown.length === Object.keys(fields).length
        ? `Unknown ${unknown.join(', ')}: nothing was changed.`
        : `Invalid privileges: ${Object.entries(fields)
            .map(([k, v]) => `${k}: ${v.join(' ')}`)
            .join('; ')}`;
    throw new ServiceError('validation_failed', detail, fields);
  }
  return grants;
}
