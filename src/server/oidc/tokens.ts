import { hashKey, type Actor, type CallerIdentity, type Principal } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { CredentialResolver, ServiceContext } from '../domain/context.js';
import { newId, randomBytes } from '../domain/ids.js';
import type { Db } from '../store/db.js';
import {
  deleteTokensExpiredBefore,
  insertToken,
  listLiveTokens,
  markTokenRevoked,
  resolveTokenByHash,
  type NewOidcToken,
} from '../store/oidc.js';

/** Every exchanged token starts with this, so other resolvers can skip it at a glance. */
export const OIDC_TOKEN_PREFIX = 'alo_';

/** What a new exchanged token is issued for. */
export interface TokenGrant {
  orgId: string;
  serviceId: string;
  providerId: string;
  ttlSeconds: number;
  identity: CallerIdentity;
}

/** A freshly issued token: its secret (shown once), its id and when it expires. */
export interface IssuedToken {
  id: string;
  token: string;
  expiresAt: string;
}

/** Creates a short-lived token in the caller's transaction; only its keyed hash is stored. */
export async function issueToken(db: Db, secret: string, grant: TokenGrant, now: Date): Promise<IssuedToken> {
  const { issued, row } = newToken(secret, grant, now);
  await insertToken({ db }, row);
  return issued;
}

/**
 * A new token and the row that stores it (only its keyed hash), for a caller that writes the row
 * itself; {@link issueToken} is the usual way.
 */
export function newToken(
  secret: string,
  grant: TokenGrant,
  now: Date,
): { issued: IssuedToken; row: NewOidcToken } {
  const token = OIDC_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = newId();
  const expiresAt = new Date(now.getTime() + grant.ttlSeconds * 1000).toISOString();
  const row: NewOidcToken = {
    id,
    key_hash: hashKey(secret, token),
    org_id: grant.orgId,
    service_id: grant.serviceId,
    provider_id: grant.providerId,
    subject: grant.identity.subject,
    identity: grant.identity,
    created_at: now.toISOString(),
    expires_at: expiresAt,
  };
  return { issued: { id, token, expiresAt }, row };
}

/** Which live tokens {@link revokeTokens} revokes, and the reason its audit events give. */
export interface TokenRevocation {
  /** Tokens exchanged under this provider… */
  providerId?: string;
  /** …and/or for one of these service accounts (an empty list revokes nothing). */
  serviceIds?: string[];
  reason: string;
}

/**
 * Revokes, in the caller's transaction, every live token a change takes trust away from (a
 * provider disabled, an account detached from it or deleted), with one `oidc.token_revoked` audit
 * event each. Stopping them only while the change lasts is not enough: the tokens would work again
 * when the provider is re-enabled or the account re-attached. Returns how many were revoked.
 */
export async function revokeTokens(db: Db, actor: Actor, now: Date, which: TokenRevocation): Promise<number> {
  if (which.serviceIds?.length === 0) return 0;
  const rows = await listLiveTokens({ db }, now.toISOString(), which);
  for (const row of rows) {
    await markTokenRevoked({ db }, row.id, now.toISOString());
    await recordAudit(db, actor, now, {
      orgId: row.org_id,
      event: 'oidc.token_revoked',
      eventKind: 'delete',
      object: row.slug,
      objectKind: 'oidc_token',
      objectSlugPerm: row.id,
      context: { subject: row.subject, provider: row.provider_id, reason: which.reason },
    });
  }
  return rows.length;
}

/**
 * Resolves exchanged tokens: the token must be unrevoked and unexpired, its service account live,
 * and its provider still enabled with that account attached. Those changes revoke the tokens
 * (see {@link revokeTokens}); the joins stay as a second line, for rows changed by hand. The
 * principal carries the account's own role and the caller's CI identity.
 */
export const resolveOidcToken: CredentialResolver = async (ctx, credential) => {
  if (!credential.startsWith(OIDC_TOKEN_PREFIX)) return null;
  const now = ctx.clock().toISOString();
  const row = await resolveTokenByHash(ctx, hashKey(ctx.secret, credential), now);
  if (!row) return null;
  return {
    kind: 'service',
    serviceId: row.service_id,
    serviceSlug: row.service_slug,
    name: row.name,
    orgId: row.org_id,
    orgSlug: row.org_slug,
    role: row.role,
    tokenId: row.token_id,
    tokenExpiresAt: row.expires_at,
    identity: row.identity,
  } satisfies Principal;
};

/** Deletes tokens that expired before `before`; returns how many went. */
export async function pruneExpiredTokens(ctx: ServiceContext, before: Date): Promise<number> {
  return deleteTokensExpiredBefore(ctx, before.toISOString());
}
