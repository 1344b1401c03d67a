import type { Team, TeamCreate, TeamMember, TeamMembers, TeamUpdate } from '../../api/access.js';
import { SLUG_MAX } from '../../api/repos.js';
import {
  clearTeamMembers,
  deleteTeam as removeTeam,
  findLiveAccounts,
  findTeamBySlug,
  findTeamsBySlug,
  insertTeam,
  isTeamMember,
  listTeamMembers,
  listTeams as listTeamRows,
  putTeamMember,
  updateTeam as writeTeam,
  type TeamRecord,
} from '../store/access.js';
import { inTransaction, type DbSource } from '../store/source.js';
import type { Actor, Principal } from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { notFound, ServiceError, type FieldErrors } from './errors.js';
import { newId, slugify } from './ids.js';
import { checkName, checkSlug, isUniqueViolation, resolveOrg, type OrgRow } from './repos.js';

/** A team row. */
export type TeamRow = TeamRecord;
type Role = 'Manager' | 'Member';

function toTeam(t: TeamRow): Team {
  return {
    name: t.name,
    slug: t.slug,
    slug_perm: t.id,
    description: t.description,
    visibility: t.visibility,
    created_at: t.created_at,
  };
}

function slugTaken(org: OrgRow, slug: string): ServiceError {
  return new ServiceError('conflict', `A team with slug '${slug}' already exists in '${org.slug}'.`, {
    slug: [`'${slug}' is already taken in this organisation.`],
  });
}

/** The team `slug` of `org`; a Hidden team is found only by org Managers and its own members. */
async function findTeam(
  ctx: ServiceContext,
  org: OrgRow,
  principal: Principal,
  slug: string,
): Promise<TeamRow> {
  const team = await findTeamBySlug(ctx, org.id, slug);
  if (team && (team.visibility === 'Visible' || principal.role === 'Manager')) return team;
  if (team && (await isTeamMember(ctx, team.id, principal.serviceId))) return team;
  throw notFound(`Team '${slug}' in '${org.slug}'`);
}

/** One page of the org's teams by slug (org members; Hidden teams only for Managers and their members). */
export async function listTeams(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  window: { offset: number; size: number },
): Promise<{ items: Team[]; count: number }> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: false });
  // A Manager sees every team; anyone else the Visible ones and those it belongs to.
  const viewer = principal.role === 'Manager' ? null : principal.serviceId;
  const { rows, count } = await listTeamRows(ctx, org.id, viewer, window);
  return { items: rows.map(toTeam), count };
}

/** One team (org members). */
export async function getTeam(ctx: ServiceContext, actor: Actor, owner: string, slug: string): Promise<Team> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: false });
  return toTeam(await findTeam(ctx, org, principal, slug));
}

/** Creates a team (org Manager). The slug comes from the name when not given. */
export async function createTeam(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  input: TeamCreate,
): Promise<Team> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const name = checkName('name', input.name);
  const slug = input.slug === undefined ? slugify(name, SLUG_MAX) : checkSlug('slug', input.slug);
  const now = ctx.clock();
  const row: TeamRow = {
    id: newId(),
    org_id: org.id,
    slug,
    name,
    description: input.description ?? '',
    visibility: input.visibility ?? 'Visible',
    created_at: now.toISOString(),
  };
  try {
    await inTransaction(ctx, async (trx) => {
      await insertTeam(trx, row);
      await recordAudit(trx, actor, now, {
        orgId: org.id,
        event: 'team.created',
        eventKind: 'create',
        object: slug,
        objectKind: 'team',
        objectSlugPerm: row.id,
        context: { name, visibility: row.visibility },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw slugTaken(org, slug);
    throw err;
  }
  return toTeam(row);
}

/** Changes a team's name, slug, description or visibility (org Manager). */
export async function updateTeam(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  input: TeamUpdate,
): Promise<Team> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: true });
  const team = await findTeam(ctx, org, principal, slug);
  const next: TeamRow = { ...team };
  if (input.name !== undefined) next.name = checkName('name', input.name);
  if (input.slug !== undefined) next.slug = checkSlug('slug', input.slug);
  if (input.description !== undefined) next.description = input.description ?? '';
  if (input.visibility !== undefined) next.visibility = input.visibility;
  const changes: Record<string, { from: string; to: string }> = {};
  for (const key of ['name', 'slug', 'description', 'visibility'] as const) {
    if (next[key] !== team[key]) changes[key] = { from: team[key], to: next[key] };
  }
  if (Object.keys(changes).length === 0) return toTeam(team);
  const now = ctx.clock();
  try {
    await inTransaction(ctx, async (trx) => {
      await writeTeam(trx, next);
      await recordAudit(trx, actor, now, {
        orgId: org.id,
        event: 'team.updated',
        eventKind: 'update',
        object: next.slug,
        objectKind: 'team',
        objectSlugPerm: team.id,
        context: { changes },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw slugTaken(org, next.slug);
    throw err;
  }
  return toTeam(next);
}

/** Deletes a team, its memberships and its repository grants (org Manager). */
export async function deleteTeam(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<void> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: true });
  const team = await findTeam(ctx, org, principal, slug);
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    await removeTeam(trx, team.id);
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: 'team.deleted',
      eventKind: 'delete',
      object: team.slug,
      objectKind: 'team',
      objectSlugPerm: team.id,
    });
  });
}

async function membersOf(db: DbSource, teamId: string): Promise<TeamMembers> {
  const rows = await listTeamMembers(db, teamId);
  return {
    members: rows.map((r) => ({
      user: r.slug,
      role: r.role,
      user_kind: r.kind === 'user' ? ('User' as const) : ('Service' as const),
    })),
  };
}

/** A team's members (org members). */
export async function getTeamMembers(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<TeamMembers> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: false });
  return membersOf(ctx, (await findTeam(ctx, org, principal, slug)).id);
}

/**
 * Sets a team's members (org Manager): `replace` makes the list the whole membership (PUT),
 * `merge` adds the listed ones and changes the role of those already in (POST). Returns the
 * resulting membership.
 */
export async function setTeamMembers(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  input: TeamMembers,
  mode: 'replace' | 'merge',
): Promise<TeamMembers> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: true });
  const team = await findTeam(ctx, org, principal, slug);
  const members = await resolveMembers(ctx, org.id, input.members);
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    if (mode === 'replace') await clearTeamMembers(trx, team.id);
    for (const m of members) await putTeamMember(trx, team.id, m.id, m.role);
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: mode === 'replace' ? 'team.members.replaced' : 'team.members.added',
      eventKind: 'update',
      object: team.slug,
      objectKind: 'team',
      objectSlugPerm: team.id,
      context: { members: members.map((m) => ({ user: m.slug, role: m.role })) },
    });
  });
  return membersOf(ctx, team.id);
}

async function resolveMembers(
  ctx: ServiceContext,
  orgId: string,
  entries: TeamMember[],
): Promise<{ id: string; slug: string; role: Role }[]> {
  const fields: FieldErrors = {};
  const fail = (field: string, message: string): void => void (fields[field] ??= []).push(message);
  const seen = new Map<string, number>();
  entries.forEach((m, i) => {
    const first = seen.get(m.user);
    if (first !== undefined)
      fail(`members[${i}].user`, `'${m.user}' is already listed at members[${first}].`);
    else seen.set(m.user, i);
  });
  const slugs = [...seen.keys()];
  // A member is named by slug or slug_perm, a user or a service account alike.
  const found = new Map((await findLiveAccounts(ctx, orgId, slugs)).map((a) => [a.ref, a]));
  entries.forEach((m, i) => {
    const account = found.get(m.user);
    if (!account) {
      if (seen.get(m.user) === i)
        fail(`members[${i}].user`, `No user or service account '${m.user}' in this organisation.`);
      return;
    }
    const kind = account.kind === 'user' ? 'User' : 'Service';
    if (m.user_kind !== undefined && m.user_kind !== kind)
      fail(`members[${i}].user_kind`, `'${m.user}' is a ${kind === 'User' ? 'user' : 'service account'}.`);
  });
  if (Object.keys(fields).length > 0) {
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v.join(' ')}`)
      .join('; ');
    throw new ServiceError('validation_failed', `Invalid members: ${summary}`, fields);
  }
  return entries.map((m) => {
    const account = found.get(m.user)!;
    return { id: account.id, slug: account.slug, role: m.role ?? 'Member' };
  });
}

/**
 * Looks up the teams named in a service account's `teams` list; throws one 422 naming every
 * unknown or repeated slug under `field`.
 */
export async function resolveTeamSlugs(
  db: DbSource,
  orgId: string,
  entries: { slug: string; role?: Role }[],
  field: string,
): Promise<{ id: string; slug: string; role: Role }[]> {
  const fields: FieldErrors = {};
  const slugs = entries.map((e) => e.slug);
  entries.forEach((e, i) => {
    if (slugs.indexOf(e.slug) !== i)
      (fields[`${field}[${i}].slug`] ??= []).push(`'${e.slug}' is listed twice.`);
  });
  const found = await findTeamsBySlug(db, orgId, slugs);
  const ids = new Map(found.map((t) => [t.slug, t.id]));
  entries.forEach((e, i) => {
    if (!ids.has(e.slug))
      (fields[`${field}[${i}].slug`] ??= []).push(`No team '${e.slug}' in this organisation.`);
  });
  if (Object.keys(fields).length > 0) {
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v.join(' ')}`)
      .join('; ');
    throw new ServiceError('validation_failed', `Invalid ${field}: ${summary}`, fields);
  }
  return entries.map((e) => ({ id: ids.get(e.slug)!, slug: e.slug, role: e.role ?? 'Member' }));
}
