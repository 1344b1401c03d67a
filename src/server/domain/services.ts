import crypto from 'node:crypto';
import {
  SERVICE_SLUG_MAX,
  type Service,
  type ServiceCreate,
  type ServiceUpdate,
  type ServiceWithKey,
  type UserSelf,
  type UserTokens,
} from '../../api/access.js';
import {
  addTeamMember,
  deleteGrantsOf,
  findLiveService,
  findServiceKey,
  hasOtherLiveManager,
  insertService,
  isServiceSlugUsed,
  listLiveServices,
  removeFromAllTeams,
  serviceSlugsById,
  setServiceKey,
  softDeleteService,
  teamMembershipsOf,
  updateService as writeService,
  type ServiceRecord,
} from '../store/access.js';
import type { Db } from '../store/db.js';
import { inTransaction } from '../store/source.js';
import { generateApiKey, hashKey, requirePrincipal, type Actor } from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { notFound, ServiceError } from './errors.js';
import { newId, slugify } from './ids.js';
import { checkName, isUniqueViolation, resolveOrg, type OrgRow } from './repos.js';
import { resolveTeamSlugs } from './teams.js';
import { revokeTokens } from '../oidc/tokens.js';

/** A service-account row. */
export type ServiceRow = ServiceRecord;

const SUFFIX_LENGTH = 6;

/**
 * A key as reads show it: redacted, ending in the key's real last four characters, so that a
 * client holding the key can tell whether it is still the current one.
 */
function redactedKey(tail: string | null): string {
  return 'al_' + '*'.repeat(36) + (tail ?? '****');
}

async function toServices(ctx: ServiceContext, org: OrgRow, rows: ServiceRow[]): Promise<Service[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const memberships = await teamMembershipsOf(ctx, ids);
  const creatorIds = [...new Set(rows.map((r) => r.created_by).filter((id): id is string => id !== null))];
  const creatorSlug = await serviceSlugsById(ctx, creatorIds);
  return rows.map((r) => ({
    name: r.name,
    slug: r.slug,
    slug_perm: r.id,
    description: r.description,
    role: r.role,
    teams: memberships.filter((m) => m.service_id === r.id).map((m) => ({ slug: m.slug, role: m.role })),
    key: redactedKey(r.key_tail),
    key_created_at: r.key_created_at,
    key_expires_at: null,
    created_at: r.created_at,
    created_by: r.created_by ? (creatorSlug.get(r.created_by) ?? null) : null,
    self_url: `${ctx.baseUrl}/orgs/${org.slug}/services/${r.slug}/`,
  }));
}

async function findService(ctx: ServiceContext, org: OrgRow, slug: string): Promise<ServiceRow> {
  const row = await findLiveService(ctx, org.id, slug);
  if (!row) throw notFound(`Service account '${slug}' in '${org.slug}'`);
  return row;
}

/** A slug for a new account: the name's, or (when taken, deleted accounts included) it with a random suffix. */
async function freeSlug(ctx: ServiceContext, orgId: string, name: string, attempt: number): Promise<string> {
  const base = slugify(name, SERVICE_SLUG_MAX);
  if (attempt === 0) {
    if (!(await isServiceSlugUsed(ctx, orgId, base))) return base;
  }
  const stem = base.slice(0, SERVICE_SLUG_MAX - SUFFIX_LENGTH - 1).replace(/[-._]+$/, '');
  return `${stem}-${newId(SUFFIX_LENGTH).toLowerCase()}`;
}

/** Refuses a change that would leave the org with no live Manager (nobody could administer it). */
async function assertAnotherManager(trx: Db, org: OrgRow, service: ServiceRow): Promise<void> {
  if (service.role !== 'Manager') return;
  if (!(await hasOtherLiveManager(trx, org.id, service.id))) {
    throw new ServiceError(
      'conflict',
      `'${service.slug}' is the last Manager of '${org.slug}': make another service account Manager first.`,
    );
  }
}

/**
 * Takes an account (service account or user) out of service inside the caller's transaction:
 * soft-deleted, out of every team, its grants gone, and its exchanged tokens revoked rather than
 * merely refused while the account is gone. The caller checks the last-Manager rule and audits.
 */
export async function retireAccount(
  trx: Db,
  actor: Actor,
  now: Date,
  accountId: string,
  reason: string,
): Promise<void> {
  await softDeleteService(trx, accountId, now.toISOString());
  await removeFromAllTeams(trx, accountId);
  await revokeTokens(trx, actor, now, { serviceIds: [accountId], reason });
  await deleteGrantsOf(trx, 'service', accountId);
}

/** One page of the org's live service accounts by slug (org Manager); keys are never shown. */
export async function listServices(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  window: { offset: number; size: number },
): Promise<{ items: Service[]; count: number }> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const { rows, count } = await listLiveServices(ctx, org.id, window);
  return { items: await toServices(ctx, org, rows), count };
}

/** One live service account (org Manager), without its key. */
export async function getService(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<Service> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  return (await toServices(ctx, org, [await findService(ctx, org, slug)]))[0]!;
}

/** Creates a service account (org Manager) and returns it with its API key, shown this once. */
export async function createService(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  input: ServiceCreate,
): Promise<ServiceWithKey> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: true });
  const name = checkName('name', input.name);
  const teams = await resolveTeamSlugs(ctx, org.id, input.teams ?? [], 'teams');
  const key = generateApiKey();
  const now = ctx.clock();
  // A concurrent create may take the same slug between the check and the insert: try a suffix then.
  for (let attempt = 0; ; attempt++) {
    const row: ServiceRow = {
      id: newId(),
      org_id: org.id,
      slug: await freeSlug(ctx, org.id, name, attempt),
      name,
      description: input.description ?? '',
      role: input.role ?? 'Member',
      key_hash: hashKey(ctx.secret, key),
      key_tail: key.slice(-4),
      key_created_at: now.toISOString(),
      created_at: now.toISOString(),
      created_by: principal.serviceId,
      deleted_at: null,
      kind: 'service',
      email: null,
      member_role: null,
      password_hash: null,
    };
    try {
      await inTransaction(ctx, async (trx) => {
        await insertService(trx, row);
        for (const t of teams) await addTeamMember(trx, t.id, row.id, t.role);
        await recordAudit(trx, actor, now, {
          orgId: org.id,
          event: 'service.created',
          eventKind: 'create',
          object: row.slug,
          objectKind: 'service_account',
          objectSlugPerm: row.id,
          context: { name, role: row.role, teams: teams.map((t) => ({ slug: t.slug, role: t.role })) },
        });
      });
      return { ...(await toServices(ctx, org, [row]))[0]!, key };
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 3) throw err;
    }
  }
}

/** Changes a service account (org Manager); `teams`, when given, replaces its memberships. */
export async function updateService(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  input: ServiceUpdate,
): Promise<Service> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const service = await findService(ctx, org, slug);
  const next: ServiceRow = { ...service };
  if (input.name !== undefined) next.name = checkName('name', input.name);
  if (input.description !== undefined) next.description = input.description;
  if (input.role !== undefined) next.role = input.role;
  const teams = input.teams === undefined ? null : await resolveTeamSlugs(ctx, org.id, input.teams, 'teams');
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    if (next.role !== 'Manager') await assertAnotherManager(trx, org, service);
    await writeService(trx, next);
    if (teams) {
      await removeFromAllTeams(trx, service.id);
      for (const t of teams) await addTeamMember(trx, t.id, service.id, t.role);
    }
    const changes: Record<string, unknown> = {};
    for (const key of ['name', 'description', 'role'] as const) {
      if (next[key] !== service[key]) changes[key] = { from: service[key], to: next[key] };
    }
    if (teams) changes.teams = teams.map((t) => ({ slug: t.slug, role: t.role }));
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: 'service.updated',
      eventKind: 'update',
      object: service.slug,
      objectKind: 'service_account',
      objectSlugPerm: service.id,
      context: { changes },
    });
  });
  return (await toServices(ctx, org, [next]))[0]!;
}

/**
 * Soft-deletes a service account (org Manager): its key stops working at once, its exchanged
 * OIDC tokens are revoked, and its team memberships and repository grants go with it. The org's
 * last Manager cannot be deleted.
 */
export async function deleteService(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<void> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const service = await findService(ctx, org, slug);
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    await assertAnotherManager(trx, org, service);
    await retireAccount(trx, actor, now, service.id, 'service account deleted');
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: 'service.deleted',
      eventKind: 'delete',
      object: service.slug,
      objectKind: 'service_account',
      objectSlugPerm: service.id,
    });
  });
}

/** Replaces a service account's API key (org Manager): the old key stops working, the new one is shown once. */
export async function rotateServiceKey(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
): Promise<ServiceWithKey> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const service = await findService(ctx, org, slug);
  const key = generateApiKey();
  const now = ctx.clock();
  const next: ServiceRow = {
    ...service,
    key_hash: hashKey(ctx.secret, key),
    key_tail: key.slice(-4),
    key_created_at: now.toISOString(),
  };
  await inTransaction(ctx, async (trx) => {
    await setServiceKey(trx, service.id, next.key_hash, next.key_created_at, key.slice(-4));
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: 'service.key_rotated',
      eventKind: 'action',
      object: service.slug,
      objectKind: 'service_account',
      objectSlugPerm: service.id,
    });
  });
  return { ...(await toServices(ctx, org, [next]))[0]!, key };
}

/** `GET /user/self/`: the calling user or service account, or `authenticated: false` for an anonymous caller. */
export function describeSelf(ctx: ServiceContext, actor: Actor): UserSelf {
  const p = actor.principal;
  if (!p) {
    return {
      authenticated: false,
      slug: null,
      slug_perm: null,
      name: null,
      email: null,
      profile_url: null,
      self_url: null,
    };
  }
  return {
    authenticated: true,
    slug: p.serviceSlug,
    slug_perm: p.serviceId,
    name: p.name,
    email: p.email ?? null,
    profile_url: null,
    self_url: `${ctx.baseUrl}/orgs/${p.orgSlug}/${p.kind === 'user' ? 'members' : 'services'}/${p.serviceSlug}/`,
  };
}

/**
 * `GET /user/tokens/`: the caller's own API key, obfuscated. Its last four characters are shown
 * when it is the credential of this very request (the key itself is never stored).
 */
export async function listOwnTokens(
  ctx: ServiceContext,
  actor: Actor,
  presented: string | null,
): Promise<UserTokens> {
  const p = requirePrincipal(actor);
  const row = await findServiceKey(ctx, p.serviceId);
  if (!row) return { results: [] };
  const shown =
    presented && hashKey(ctx.secret, presented) === row.key_hash
      ? presented.slice(0, 3) + '*'.repeat(Math.max(4, presented.length - 7)) + presented.slice(-4)
      : 'al_' + '*'.repeat(40);
  return {
    results: [
      {
        // Derived from the stored hash: stable for one key, new after a rotation, and reveals nothing.
        slug_perm: crypto.createHash('sha256').update(row.key_hash).digest('hex').slice(0, 12),
        created: row.key_created_at,
        key: shown,
      },
    ],
  };
}
