/**
 * Who may do what: service accounts (and their hashed keys), teams and their members, and the
 * privileges granted on repositories. Every function takes the database or a transaction of it.
 */

import type { Insertable, Selectable } from 'kysely';
import { compiledOnce } from './compiled-once.js';
import type { Db } from './db.js';
import { dbOf, type DbSource } from './source.js';
import type { MemberRoleColumn, RepoPrivilegesTable, ServicesTable, TeamsTable } from './schema.js';

/** A service-account row. */
export type ServiceRecord = Selectable<ServicesTable>;
/** A team row. */
export type TeamRecord = Selectable<TeamsTable>;
/** A role in an organisation or a team. */
export type Role = 'Manager' | 'Member';
/** A repository privilege as stored. */
export type GrantedPrivilege = RepoPrivilegesTable['privilege'];
/** What a grant is given to. */
export type PrincipalKind = RepoPrivilegesTable['principal_kind'];

/** Whether an account is a service account or a person. */
export type AccountKind = ServiceRecord['kind'];
/** A user's role in an organisation. */
export type MemberRole = MemberRoleColumn;

/** A slug and the id it names. */
export interface SlugId {
  id: string;
  slug: string;
}

// ---- service accounts ----

/** Live accounts with their organisations, selecting what a principal is built from. */
function liveAccounts(src: DbSource) {
  return liveAccountsOf(dbOf(src));
}

function liveAccountsOf(db: Db) {
  return db
    .selectFrom('services')
    .innerJoin('orgs', 'orgs.id', 'services.org_id')
    .select([
      'services.id',
      'services.slug',
      'services.name',
      'services.role',
      'services.kind',
      'services.member_role',
      'services.email',
      'orgs.id as org_id',
      'orgs.slug as org_slug',
    ])
    .where('services.deleted_at', 'is', null);
}

// Compiled once: every request that carries an API key runs it.
const selectAccountByKeyHash = compiledOnce((db, p: { keyHash: string }) =>
  liveAccountsOf(db).where('services.key_hash', '=', p.keyHash),
);

/** The live service account whose key has this keyed hash, with its organisation; undefined when none. */
export async function findServiceByKeyHash(
  src: DbSource,
  keyHash: string,
): Promise<
  | {
      id: string;
      slug: string;
      name: string;
      role: Role;
      kind: AccountKind;
      member_role: MemberRole | null;
      email: string | null;
      org_id: string;
      org_slug: string;
    }
  | undefined
> {
  return (await selectAccountByKeyHash(src, { keyHash })).rows[0];
}

/** An account row as a principal is built from, with its organisation's slug. */
export type AccountRow = NonNullable<Awaited<ReturnType<typeof findServiceByKeyHash>>>;

/** The live account with this id, as {@link findServiceByKeyHash} returns it. */
export async function findAccountById(src: DbSource, id: string): Promise<AccountRow | undefined> {
  return liveAccounts(src).where('services.id', '=', id).executeTakeFirst();
}

/** The live users with this email in any organisation, with their password hashes. */
export async function findUsersByEmail(
  src: DbSource,
  email: string,
): Promise<{ id: string; org_slug: string; password_hash: string | null }[]> {
  return dbOf(src)
    .selectFrom('services')
    .innerJoin('orgs', 'orgs.id', 'services.org_id')
    .select(['services.id', 'orgs.slug as org_slug', 'services.password_hash'])
    .where('services.kind', '=', 'user')
    .where('services.email', '=', email.toLowerCase())
    .where('services.deleted_at', 'is', null)
    .orderBy('orgs.slug')
    .execute();
}

/** A live account's web password hash (null when it has none, undefined when no such account). */
export async function findPasswordHash(src: DbSource, id: string): Promise<string | null | undefined> {
  const row = await dbOf(src)
    .selectFrom('services')
    .select('password_hash')
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.password_hash;
}

/** Sets (or clears) a user's web password hash. */
export async function setPasswordHash(src: DbSource, id: string, hash: string | null): Promise<void> {
  await dbOf(src).updateTable('services').set({ password_hash: hash }).where('id', '=', id).execute();
}

/** The slug of the organisation's first Manager account (deleted ones included), if any. */
export async function firstManagerSlug(src: DbSource, orgId: string): Promise<string | undefined> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('services')
    .select('slug')
    .where('org_id', '=', orgId)
    .where('role', '=', 'Manager')
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.slug;
}

/** The live service account `slug` of an organisation, if there is one. */
export async function findLiveService(
  src: DbSource,
  orgId: string,
  slug: string,
): Promise<ServiceRecord | undefined> {
  const db = dbOf(src);
  return db
    .selectFrom('services')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .where('kind', '=', 'service')
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** True when any account of the organisation, deleted ones included, has used `slug`. */
export async function isServiceSlugUsed(src: DbSource, orgId: string, slug: string): Promise<boolean> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('services')
    .select('id')
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  return row !== undefined;
}

/** True when the organisation has a live Manager other than `exceptId`. */
export async function hasOtherLiveManager(src: DbSource, orgId: string, exceptId: string): Promise<boolean> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('services')
    .select('id')
    .where('org_id', '=', orgId)
    .where('role', '=', 'Manager')
    .where('deleted_at', 'is', null)
    .where('id', '!=', exceptId)
    .executeTakeFirst();
  return row !== undefined;
}

/** One page of the organisation's live service accounts by slug, with the total. */
export async function listLiveServices(
  src: DbSource,
  orgId: string,
  window: { offset: number; size: number },
): Promise<{ rows: ServiceRecord[]; count: number }> {
  const db = dbOf(src);
  const base = db
    .selectFrom('services')
    .where('org_id', '=', orgId)
    .where('kind', '=', 'service')
    .where('deleted_at', 'is', null);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('slug').limit(window.size).offset(window.offset).execute();
  return { rows, count: Number(total.n) };
}

/** The slugs of the given accounts (deleted ones included), by id. */
export async function serviceSlugsById(src: DbSource, ids: string[]): Promise<Map<string, string>> {
  const db = dbOf(src);
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('services').select(['id', 'slug']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.slug]));
}

/** The live service accounts (not users) of the organisation among `slugs`. */
export async function findLiveServicesBySlug(
  src: DbSource,
  orgId: string,
  slugs: string[],
): Promise<SlugId[]> {
  const db = dbOf(src);
  if (slugs.length === 0) return [];
  return db
    .selectFrom('services')
    .select(['id', 'slug'])
    .where('org_id', '=', orgId)
    .where('slug', 'in', slugs)
    .where('kind', '=', 'service')
    .where('deleted_at', 'is', null)
    .execute();
}

/**
 * The live accounts (service accounts and users) of the organisation that `refs` name, each by
 * slug or by slug_perm, with the ref that found it.
 */
export async function findLiveAccounts(
  src: DbSource,
  orgId: string,
  refs: string[],
): Promise<{ ref: string; id: string; slug: string; kind: AccountKind }[]> {
  const db = dbOf(src);
  if (refs.length === 0) return [];
  const rows = await db
    .selectFrom('services')
    .select(['id', 'slug', 'kind'])
    .where('org_id', '=', orgId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('slug', 'in', refs), eb('id', 'in', refs)]))
    .execute();
  const found: { ref: string; id: string; slug: string; kind: AccountKind }[] = [];
  for (const ref of refs) {
    const row = rows.find((r) => r.slug === ref) ?? rows.find((r) => r.id === ref);
    if (row) found.push({ ref, ...row });
  }
  return found;
}

/** The live user of the organisation named by slug, slug_perm or email, if there is one. */
export async function findLiveUser(
  src: DbSource,
  orgId: string,
  ref: string,
): Promise<ServiceRecord | undefined> {
  const db = dbOf(src);
  return db
    .selectFrom('services')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('kind', '=', 'user')
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('slug', '=', ref), eb('id', '=', ref), eb('email', '=', ref.toLowerCase())]))
    .executeTakeFirst();
}

/** One page of the organisation's live users by slug, with the total. */
export async function listLiveUsers(
  src: DbSource,
  orgId: string,
  window: { offset: number; size: number },
): Promise<{ rows: ServiceRecord[]; count: number }> {
  const db = dbOf(src);
  const base = db
    .selectFrom('services')
    .where('org_id', '=', orgId)
    .where('kind', '=', 'user')
    .where('deleted_at', 'is', null);
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('slug').limit(window.size).offset(window.offset).execute();
  return { rows, count: Number(total.n) };
}

/** True when a live user of the organisation has this email address. */
export async function isUserEmailUsed(src: DbSource, orgId: string, email: string): Promise<boolean> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('services')
    .select('id')
    .where('org_id', '=', orgId)
    .where('email', '=', email)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Adds a service account; a slug already used in the organisation is a unique violation. */
export async function insertService(src: DbSource, service: Insertable<ServicesTable>): Promise<void> {
  const db = dbOf(src);
  await db.insertInto('services').values(service).execute();
}

/** Writes an account's name, description and role. */
export async function updateService(
  src: DbSource,
  service: Pick<ServiceRecord, 'id' | 'name' | 'description' | 'role'>,
): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('services')
    .set({ name: service.name, description: service.description, role: service.role })
    .where('id', '=', service.id)
    .execute();
}

/** Replaces an account's key hash (and the key's last four characters). */
export async function setServiceKey(
  src: DbSource,
  serviceId: string,
  keyHash: string,
  createdAt: string,
  keyTail: string,
): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('services')
    .set({ key_hash: keyHash, key_created_at: createdAt, key_tail: keyTail })
    .where('id', '=', serviceId)
    .execute();
}

/** The key hash and its creation time of a live account, if it is live. */
export async function findServiceKey(
  src: DbSource,
  serviceId: string,
): Promise<{ key_hash: string; key_created_at: string } | undefined> {
  const db = dbOf(src);
  return db
    .selectFrom('services')
    .select(['key_hash', 'key_created_at'])
    .where('id', '=', serviceId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Soft-deletes a live account. */
export async function softDeleteService(src: DbSource, serviceId: string, at: string): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('services')
    .set({ deleted_at: at })
    .where('id', '=', serviceId)
    .where('deleted_at', 'is', null)
    .execute();
}

// ---- teams ----

/** The team `slug` of an organisation, if there is one. */
export async function findTeamBySlug(
  src: DbSource,
  orgId: string,
  slug: string,
): Promise<TeamRecord | undefined> {
  const db = dbOf(src);
  return (
    db
      .selectFrom('teams')
      .selectAll()
      .where('org_id', '=', orgId)
      // Clients name a team by slug or by slug_perm (what they stored at create).
      .where((eb) => eb.or([eb('slug', '=', slug), eb('id', '=', slug)]))
      .orderBy('created_at')
      .executeTakeFirst()
  );
}

/** The teams of the organisation among `slugs`. */
export async function findTeamsBySlug(src: DbSource, orgId: string, slugs: string[]): Promise<SlugId[]> {
  const db = dbOf(src);
  if (slugs.length === 0) return [];
  return db
    .selectFrom('teams')
    .select(['id', 'slug'])
    .where('org_id', '=', orgId)
    .where('slug', 'in', slugs)
    .execute();
}

/**
 * One page of an organisation's teams by slug, with the total: all of them, or with `viewerId`
 * only the Visible ones and those the account `viewerId` belongs to.
 */
export async function listTeams(
  src: DbSource,
  orgId: string,
  viewerId: string | null,
  window: { offset: number; size: number },
): Promise<{ rows: TeamRecord[]; count: number }> {
  const db = dbOf(src);
  let base = db.selectFrom('teams').where('org_id', '=', orgId);
  if (viewerId !== null) {
    base = base.where((eb) =>
      eb.or([
        eb('visibility', '=', 'Visible'),
        eb('id', 'in', eb.selectFrom('team_members').select('team_id').where('service_id', '=', viewerId)),
      ]),
    );
  }
  const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('slug').limit(window.size).offset(window.offset).execute();
  return { rows, count: Number(total.n) };
}

/** Adds a team; a slug already used in the organisation is a unique violation. */
export async function insertTeam(src: DbSource, team: TeamRecord): Promise<void> {
  const db = dbOf(src);
  await db.insertInto('teams').values(team).execute();
}

/** Writes a team's name, slug, description and visibility. */
export async function updateTeam(
  src: DbSource,
  team: Pick<TeamRecord, 'id' | 'name' | 'slug' | 'description' | 'visibility'>,
): Promise<void> {
  const db = dbOf(src);
  await db
    .updateTable('teams')
    .set({ name: team.name, slug: team.slug, description: team.description, visibility: team.visibility })
    .where('id', '=', team.id)
    .execute();
}

/** Deletes a team with its repository grants and memberships (run it in a transaction). */
export async function deleteTeam(src: DbSource, teamId: string): Promise<void> {
  const db = dbOf(src);
  await deleteGrantsOf(db, 'team', teamId);
  await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  await db.deleteFrom('teams').where('id', '=', teamId).execute();
}

// ---- team members ----

/** True when the account belongs to the team. */
export async function isTeamMember(src: DbSource, teamId: string, serviceId: string): Promise<boolean> {
  const db = dbOf(src);
  const row = await db
    .selectFrom('team_members')
    .select('team_id')
    .where('team_id', '=', teamId)
    .where('service_id', '=', serviceId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The live members of a team, by slug. */
export async function listTeamMembers(
  src: DbSource,
  teamId: string,
): Promise<{ slug: string; role: Role; kind: AccountKind }[]> {
  const db = dbOf(src);
  return db
    .selectFrom('team_members')
    .innerJoin('services', 'services.id', 'team_members.service_id')
    .select(['services.slug', 'team_members.role', 'services.kind'])
    .where('team_members.team_id', '=', teamId)
    .where('services.deleted_at', 'is', null)
    .orderBy('services.slug')
    .execute();
}

/** The teams each of the given accounts belongs to, ordered by team slug. */
export async function teamMembershipsOf(
  src: DbSource,
  serviceIds: string[],
): Promise<{ service_id: string; slug: string; role: Role }[]> {
  const db = dbOf(src);
  if (serviceIds.length === 0) return [];
  return db
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select(['team_members.service_id', 'teams.slug', 'team_members.role'])
    .where('team_members.service_id', 'in', serviceIds)
    .orderBy('teams.slug')
    .execute();
}

/** Adds an account to a team; it must not be a member yet. */
export async function addTeamMember(
  src: DbSource,
  teamId: string,
  serviceId: string,
  role: Role,
): Promise<void> {
  const db = dbOf(src);
  await db.insertInto('team_members').values({ team_id: teamId, service_id: serviceId, role }).execute();
}

/** Makes an account a member of a team with `role`, whether or not it was one. */
export async function putTeamMember(
  src: DbSource,
  teamId: string,
  serviceId: string,
  role: Role,
): Promise<void> {
  const db = dbOf(src);
  await db
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('service_id', '=', serviceId)
    .execute();
  await addTeamMember(db, teamId, serviceId, role);
}

/** Empties a team. */
export async function clearTeamMembers(src: DbSource, teamId: string): Promise<void> {
  const db = dbOf(src);
  await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
}

/** Takes an account out of every team. */
export async function removeFromAllTeams(src: DbSource, serviceId: string): Promise<void> {
  const db = dbOf(src);
  await db.deleteFrom('team_members').where('service_id', '=', serviceId).execute();
}

// ---- repository privileges ----

// Compiled once: every member's request on a repository runs it.
const selectGrants = compiledOnce((db, p: { repoId: string; serviceId: string }) =>
  db
    .selectFrom('repo_privileges')
    .select('privilege')
    .where('repo_id', '=', p.repoId)
    .where((eb) =>
      eb.or([
        eb.and([eb('principal_kind', '=', 'service'), eb('principal_id', '=', p.serviceId)]),
        eb.and([
          eb('principal_kind', '=', 'team'),
          eb(
            'principal_id',
            'in',
            db.selectFrom('team_members').select('team_id').where('service_id', '=', p.serviceId),
          ),
        ]),
      ]),
    ),
);

/** The privileges granted on a repository to an account, directly or through its teams. */
export async function grantsFor(
  src: DbSource,
  repoId: string,
  serviceId: string,
): Promise<GrantedPrivilege[]> {
  const { rows } = await selectGrants(src, { repoId, serviceId });
  return rows.map((r) => r.privilege);
}

/** A repository's grants to live accounts (service accounts and users), by account slug. */
export async function listServiceGrants(
  src: DbSource,
  repoId: string,
): Promise<{ slug: string; privilege: GrantedPrivilege; kind: AccountKind }[]> {
  const db = dbOf(src);
  return db
    .selectFrom('repo_privileges')
    .innerJoin('services', 'services.id', 'repo_privileges.principal_id')
    .select(['services.slug', 'repo_privileges.privilege', 'services.kind'])
    .where('repo_privileges.repo_id', '=', repoId)
    .where('repo_privileges.principal_kind', '=', 'service')
    .where('services.deleted_at', 'is', null)
    .orderBy('services.slug')
    .execute();
}

/** A repository's grants to teams, by team slug. */
export async function listTeamGrants(
  src: DbSource,
  repoId: string,
): Promise<{ slug: string; privilege: GrantedPrivilege }[]> {
  const db = dbOf(src);
  return db
    .selectFrom('repo_privileges')
    .innerJoin('teams', 'teams.id', 'repo_privileges.principal_id')
    .select(['teams.slug', 'repo_privileges.privilege'])
    .where('repo_privileges.repo_id', '=', repoId)
    .where('repo_privileges.principal_kind', '=', 'team')
    .orderBy('teams.slug')
    .execute();
}

/** Removes every grant on a repository. */
export async function clearRepoGrants(src: DbSource, repoId: string): Promise<void> {
  const db = dbOf(src);
  await db.deleteFrom('repo_privileges').where('repo_id', '=', repoId).execute();
}

/** Grants `privilege` on a repository to an account or team, replacing what it had there. */
export async function putGrant(
  src: DbSource,
  repoId: string,
  kind: PrincipalKind,
  principalId: string,
  privilege: GrantedPrivilege,
): Promise<void> {
  const db = dbOf(src);
  await db
    .deleteFrom('repo_privileges')
    .where('repo_id', '=', repoId)
    .where('principal_kind', '=', kind)
    .where('principal_id', '=', principalId)
    .execute();
  await db
    .insertInto('repo_privileges')
    .values({ repo_id: repoId, principal_kind: kind, principal_id: principalId, privilege })
    .execute();
}

/** Removes every grant to an account or team, on any repository. */
export async function deleteGrantsOf(src: DbSource, kind: PrincipalKind, principalId: string): Promise<void> {
  const db = dbOf(src);
  await db
    .deleteFrom('repo_privileges')
    .where('principal_kind', '=', kind)
    .where('principal_id', '=', principalId)
    .execute();
}
