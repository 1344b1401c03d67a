import crypto from 'node:crypto';
import type { ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { findServiceByKeyHash, grantsFor, type AccountRow } from '../store/access.js';
import type { DbSource } from '../store/source.js';

/** Repository privilege levels, weakest first. */
export const PRIVILEGES = ['Read', 'Write', 'Admin'] as const;
/** A repository privilege. */
export type Privilege = (typeof PRIVILEGES)[number];

/** The CI identity behind an OIDC-authenticated caller (recorded on audit events and packages). */
export interface CallerIdentity {
  issuer: string;
  subject: string;
  [claim: string]: string | number | undefined;
}

/**
 * An authenticated caller: a service account or a user (a person who belongs to the org),
 * possibly acting through a short-lived token. Users are accounts too: `serviceId` and
 * `serviceSlug` name the account whichever kind it is.
 */
export interface Principal {
  kind: 'service' | 'user';
  serviceId: string;
  serviceSlug: string;
  name: string;
  orgId: string;
  orgSlug: string;
  role: 'Manager' | 'Member';
  /** A user's email address. */
  email?: string;
  /** A ReadOnly user: never more than Read on any repository, whatever its grants say. */
  readOnly?: boolean;
  /** Set when the credential was a short-lived token (OIDC exchange). */
  tokenId?: string;
  tokenExpiresAt?: string;
  identity?: CallerIdentity;
}

/** Who is making a request: the principal (null when anonymous) and the client address. */
export interface Actor {
  principal: Principal | null;
  ip: string | null;
  /** Set when the service itself acts (policy quarantine, expiry): recorded as a system actor. */
  system?: string;
}

/** The service acting on its own, for audit events it causes. */
export const SYSTEM_ACTOR: Actor = { principal: null, ip: null, system: 'airlock' };

const KEY_PREFIX = 'al_';

/** A new random API key (shown once; only its keyed hash is stored). */
export function generateApiKey(): string {
  return KEY_PREFIX + crypto.randomBytes(30).toString('base64url');
}

/** The keyed hash under which a key is stored and looked up. */
export function hashKey(secret: string, key: string): string {
  return crypto.createHmac('sha256', Buffer.from(secret, 'hex')).update(key).digest('hex');
}

/** The principal of an account row. */
export function principalOf(row: AccountRow): Principal {
  return {
    kind: row.kind,
    serviceId: row.id,
    serviceSlug: row.slug,
    name: row.name,
    orgId: row.org_id,
    orgSlug: row.org_slug,
    role: row.role,
    ...(row.email ? { email: row.email } : {}),
    ...(row.member_role === 'ReadOnly' ? { readOnly: true } : {}),
  };
}

/** Resolves the API keys of accounts: service accounts and users alike. */
export async function resolveServiceKey(ctx: ServiceContext, key: string): Promise<Principal | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const row = await findServiceByKeyHash(ctx, hashKey(ctx.secret, key));
  return row ? principalOf(row) : null;
}

/** Resolves a credential through every registered resolver; throws `invalid_token` when none knows it. */
export async function authenticate(ctx: ServiceContext, credential: string): Promise<Principal> {
  for (const resolve of ctx.resolvers) {
    const principal = await resolve(ctx, credential);
    if (principal) return principal;
  }
  throw new ServiceError('invalid_token', 'Invalid token.');
}

/** The repository fields access decisions need. */
export interface RepoAccessInfo {
  id: string;
  org_id: string;
  repository_type: 'Private' | 'Public';
}

/**
 * The caller's effective privilege on a repository: an org Manager is Admin everywhere in its org;
 * otherwise the strongest of its direct grant and its teams' grants; anyone (even anonymous) may
 * read a Public repository. Null when it has none.
 */
export async function privilegeOn(
  db: DbSource,
  principal: Principal | null,
  repo: RepoAccessInfo,
): Promise<Privilege | null> {
  const floor: Privilege | null = repo.repository_type === 'Public' ? 'Read' : null;
  if (!principal || principal.orgId !== repo.org_id) return floor;
  if (principal.role === 'Manager') return 'Admin';
  const grants = await grantsFor(db, repo.id, principal.serviceId);
  let best = floor ? PRIVILEGES.indexOf(floor) : -1;
  for (const g of grants) best = Math.max(best, PRIVILEGES.indexOf(g));
  // A ReadOnly member reads what its grants open to it and changes nothing.
  if (principal.readOnly) best = Math.min(best, PRIVILEGES.indexOf('Read'));
  return best >= 0 ? PRIVILEGES[best]! : null;
}

/** Throws 401 for an anonymous caller and 403 for one whose privilege is below `needed`. */
export function assertPrivilege(actor: Actor, have: Privilege | null, needed: Privilege): void {
  if (have && PRIVILEGES.indexOf(have) >= PRIVILEGES.indexOf(needed)) return;
  if (!actor.principal)
    throw new ServiceError('not_authenticated', 'Authentication credentials were not provided.');
  throw new ServiceError('permission_denied', 'You do not have permission to perform this action.');
}

/** Requires an authenticated caller and returns its principal. */
export function requirePrincipal(actor: Actor): Principal {
  if (!actor.principal)
    throw new ServiceError('not_authenticated', 'Authentication credentials were not provided.');
  return actor.principal;
}

/** Requires a caller that belongs to `orgId`, and a Manager when `manager` is set. */
export function assertOrgAccess(actor: Actor, orgId: string, manager: boolean): Principal {
  const principal = requirePrincipal(actor);
  if (principal.orgId !== orgId || (manager && principal.role !== 'Manager')) {
    throw new ServiceError('permission_denied', 'You do not have permission to perform this action.');
  }
  return principal;
}
