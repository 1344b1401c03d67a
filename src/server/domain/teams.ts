import type { Selectable } from 'kysely';
import type { Team, TeamCreate, TeamMember, TeamMembers, TeamUpdate } from '../../api/access.js';
import { SLUG_MAX } from '../../api/repos.js';
import type { Db } from '../store/db.js';
import type { TeamsTable } from '../store/schema.js';
import type { Actor, Principal } from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { notFound, ServiceError, type FieldErrors } from './errors.js';
import { newId, slugify } from './ids.js';
import { checkName, checkSlug, isUniqueViolation, resolveOrg, type OrgRow } from './repos.js';

/** A team row. */
export type TeamRow = Selectable<TeamsTable>;
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
  const team = await ctx.db
    .selectFrom('teams')
    .selectAll()
    .where('org_id', '=', org.id)
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (team && (team.visibility === 'Visible' || principal.role === 'Manager')) return team;
  if (team) {
    const member = await ctx.db
      .selectFrom('team_members')
      .select('team_id')
      .where('team_id', '=', team.id)
      .where('service_id', '=', principal.serviceId)
      .executeTakeFirst();
    if (member) return team;
  }
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
  let base = ctx.db.selectFrom('teams').where('org_id', '=', org.id);
  if (principal.role !== 'Manager') {
    base = base.where((eb) =>
      eb.or([
        eb('visibility', '=', 'Visible'),
        eb(
          'id',
          'in',
          eb.selectFrom('team_members').select('team_id').where('service_id', '=', principal.serviceId),
        ),
      ]),
    );
  }
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('slug').limit(window.size).offset(window.offset).execute();
  return { items: rows.map(toTeam), count: Number(total.n) };
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
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('teams').values(row).execute();
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
  if (input.description !== undefined) next.description = input.description;
  if (input.visibility !== undefined) next.visibility = input.visibility;
  const changes: Record<string, { from: string; to: string }> = {};
  for (const key of ['name', 'slug', 'description', 'visibility'] as const) {
    if (next[key] !== team[key]) changes[key] = { from: team[key], to: next[key] };
  }
  if (Object.keys(changes).length === 0) return toTeam(team);
  const now = ctx.clock();
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('teams')
        .set({ name: next.name, slug: next.slug, description: next.description, visibility: next.visibility })
        .where('id', '=', team.id)
        .execute();
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
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('repo_privileges')
      .where('principal_kind', '=', 'team')
      .where('principal_id', '=', team.id)
      .execute();
    await trx.deleteFrom('team_members').where('team_id', '=', team.id).execute();
    await trx.deleteFrom('teams').where('id', '=', team.id).execute();
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

async function membersOf(db: Db, teamId: string): Promise<TeamMembers> {
  const rows = await db
    .selectFrom('team_members')
    .innerJoin('services', 'services.id', 'team_members.service_id')
    .select(['services.slug', 'team_members.role'])
    .where('team_members.team_id', '=', teamId)
    .where('services.deleted_at', 'is', null)
    .orderBy('services.slug')
    .execute();
  return { members: rows.map((r) => ({ user: r.slug, role: r.role, user_kind: 'Service' as const })) };
}

/** A team's members (org members). */
export async function getTeamMembers(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<TeamMembers> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: false });
  return membersOf(ctx.db, (await findTeam(ctx, org, principal, slug)).id);
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
  await ctx.db.transaction().execute(async (trx) => {
    if (mode === 'replace') await trx.deleteFrom('team_members').where('team_id', '=', team.id).execute();
    for (const m of members) {
      await trx
        .deleteFrom('team_members')
        .where('team_id', '=', team.id)
        .where('service_id', '=', m.id)
        .execute();
      await trx
        .insertInto('team_members')
        .values({ team_id: team.id, service_id: m.id, role: m.role })
        .execute();
    }
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
  return membersOf(ctx.db, team.id);
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
    if (m.user_kind === 'User') {
      fail(
        `members[${i}].user_kind`,
        'This service has no user accounts: members are service accounts ("Service").',
      );
    }
    const first = seen.get(m.user);
    if (first !== undefined)
      fail(`members[${i}].user`, `'${m.user}' is already listed at members[${first}].`);
    else seen.set(m.user, i);
  });
  const slugs = [...seen.keys()];
  const found = slugs.length
    ? await ctx.db
        .selectFrom('services')
        .select(['id', 'slug'])
        .where('org_id', '=', orgId)
        .where('slug', 'in', slugs)
        .where('deleted_at', 'is', null)
        .execute()
    : [];
  const ids = new Map(found.map((s) => [s.slug, s.id]));
  const unknown = slugs.filter((s) => !ids.has(s));
  for (const s of unknown)
    fail(`members[${seen.get(s)}].user`, `No service account '${s}' in this organisation.`);
  if (Object.keys(fields).length > 0) {
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v.join(' ')}`)
      .join('; ');
    throw new ServiceError('validation_failed', `Invalid members: ${summary}`, fields);
  }
  return entries.map((m) => ({ id: ids.get(m.user)!, slug: m.user, role: m.role ?? 'Member' }));
}

/**
 * Looks up the teams named in a service account's `teams` list; throws one 422 naming every
 * unknown or repeated slug under `field`.
 */
export async function resolveTeamSlugs(
  db: Db,
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
  const found = slugs.length
    ? await db
        .selectFrom('teams')
        .select(['id', 'slug'])
        .where('org_id', '=', orgId)
        .where('slug', 'in', slugs)
        .execute()
    : [];
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
