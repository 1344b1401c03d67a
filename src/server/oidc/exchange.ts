import type { FastifyBaseLogger } from 'fastify';
import type { JWTPayload } from 'jose';
import type { OidcExchangeRequest, OidcExchangeResponse } from '../../api/oidc.js';
import type { Actor, Principal } from '../domain/access.js';
import { auditRecord, recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { inGroupCommit } from '../store/group-commit.js';
import {
  findExchangeTrust,
  insertTokenWithEvent,
  type ExchangeService,
  type OidcProviderRecord,
} from '../store/oidc.js';
import { matchClaims } from './claim-rules.js';
import { identityFromClaims } from './identity.js';
import { normalizeIssuer } from './issuer-url.js';
import type { OrgRef } from './lookup.js';
import { OidcRefusal } from './refusal.js';
import type { OidcService } from './service.js';
import { newToken } from './tokens.js';
import { audienceMatches, checkAlgorithm, readJwt, verifyOidcToken } from './verify.js';

/** The one answer every refused exchange gets, whatever the reason. */
export const EXCHANGE_REFUSED_DETAIL =
  'OIDC token exchange refused. Check the organisation, the service account and its OIDC provider settings; ' +
  "the reason is in the organisation's audit log.";

/** What is known about a refused exchange, for the server log and the audit log. */
interface RefusalContext {
  org?: OrgRef;
  service?: ExchangeService;
  provider?: OidcProviderRecord;
  claims?: JWTPayload;
}

/**
 * Exchanges a CI vendor's OIDC token for a short-lived token of the named service account.
 * Verifies the token against the organisation's enabled providers for its issuer (signature,
 * `iss`, `aud`, times, claim rules) and requires the account to be attached to the provider that
 * accepts it. Every refusal throws the same `oidc_rejected` error; the reason goes to `log` and,
 * when the organisation exists, to its audit log. Successful exchanges are audited too.
 */
export async function exchangeOidcToken(
  ctx: ServiceContext,
  oidc: OidcService,
  actor: Actor,
  orgSlug: string,
  request: OidcExchangeRequest,
  log: FastifyBaseLogger,
): Promise<OidcExchangeResponse> {
  const known: RefusalContext = {};
  try {
    return await exchange(ctx, oidc, actor, orgSlug, request, known);
  } catch (err) {
    if (!(err instanceof OidcRefusal)) throw err;
    await reportRefusal(ctx, actor, orgSlug, request.service_slug, err, known, log);
    throw new ServiceError('oidc_rejected', EXCHANGE_REFUSED_DETAIL);
  }
}

async function exchange(
  ctx: ServiceContext,
  oidc: OidcService,
  actor: Actor,
  orgSlug: string,
  request: OidcExchangeRequest,
  known: RefusalContext,
): Promise<OidcExchangeResponse> {
  const trust = await findExchangeTrust(ctx, orgSlug, request.service_slug);
  if (!trust) throw new OidcRefusal('unknown_org', `no organisation '${orgSlug}'`);
  const { org, service } = trust;
  known.org = org;
  const jwt = readJwt(request.oidc_token);
  const unverified = jwt.claims;
  known.claims = unverified;
  checkAlgorithm(jwt);
  if (!service) throw new OidcRefusal('unknown_service', `no service account '${request.service_slug}'`);
  known.service = service;

  const all = trust.providers;
  if (all.length === 0) throw new OidcRefusal('no_provider', 'the organisation trusts no OIDC provider');
  const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
  const forIssuer = all.filter((p) => normalizeIssuer(p.provider_url) === normalizeIssuer(iss));
  if (forIssuer.length === 0)
    throw new OidcRefusal('wrong_issuer', `no provider trusts issuer '${iss.slice(0, 200)}'`);
  const enabled = forIssuer.filter((p) => p.enabled === 1);
  if (enabled.length === 0) {
    known.provider = forIssuer[0];
    throw new OidcRefusal('provider_disabled', `every provider for issuer '${iss}' is disabled`);
  }
  known.provider = enabled[0];

  const now = ctx.clock();
  const claims = await verifyOidcToken(jwt, enabled[0]!.provider_url, oidc.keys, now);
  known.claims = claims;
  // Providers the account is attached to come first, so a refusal names the one that mattered.
  const candidates = [...enabled.filter((p) => p.attached), ...enabled.filter((p) => !p.attached)];
  const failures: OidcRefusal[] = [];
  let accepted: OidcProviderRecord | undefined;
  for (const provider of candidates) {
    const failure = checkProvider(provider, claims, provider.attached);
    if (!failure) {
      accepted = provider;
      break;
    }
    failures.push(failure);
  }
  if (!accepted) {
    const first = failures[0]!;
    const detail = failures.length === 1 ? first.message : failures.map((f) => f.message).join('; ');
    throw new OidcRefusal(first.reason, detail);
  }
  known.provider = accepted;

  const identity = identityFromClaims(claims);
  const principal: Principal = {
    kind: 'service',
    serviceId: service.id,
    serviceSlug: service.slug,
    name: service.name,
    orgId: org.id,
    orgSlug: org.slug,
    role: service.role,
    identity,
  };
  const { issued, row } = newToken(
    ctx.secret,
    {
      orgId: org.id,
      serviceId: service.id,
      providerId: accepted.id,
      ttlSeconds: accepted.token_ttl_seconds,
      identity,
    },
    now,
  );
  principal.tokenId = issued.id;
  principal.tokenExpiresAt = issued.expiresAt;
  const event = auditRecord({ principal, ip: actor.ip }, now, {
    orgId: org.id,
    event: 'oidc.exchange',
    eventKind: 'create',
    object: service.slug,
    objectKind: 'service_account',
    objectSlugPerm: service.id,
    target: accepted.name,
    targetKind: 'oidc_provider',
    targetSlugPerm: accepted.id,
    context: { expires_at: issued.expiresAt },
  });
  // A group commit: the token and its event survive a crash of the service the moment the
  // caller has them, and reach the disk within milliseconds without a sync of their own.
  await insertTokenWithEvent(ctx, row, event);
  return { token: issued.token, token_expires_at: issued.expiresAt };
}

/** Why this provider does not accept the verified claims for the account, or null when it does. */
function checkProvider(
  provider: OidcProviderRecord,
  claims: JWTPayload,
  attached: boolean,
): OidcRefusal | null {
  const label = `provider '${provider.name}' (${provider.id})`;
  if (!audienceMatches(claims, provider.audience)) {
    return new OidcRefusal('wrong_audience', `${label} expects audience '${provider.audience}'`);
  }
  if (provider.claims === null) return new OidcRefusal('invalid_rule', `${label} has unreadable claim rules`);
  const match = matchClaims(provider.claims, claims);
  if (!match.ok) return new OidcRefusal(match.reason, `${label}: claim '${match.claim}' (${match.reason})`);
  if (!attached)
    return new OidcRefusal('service_not_attached', `${label} is not attached to the service account`);
  return null;
}

async function reportRefusal(
  ctx: ServiceContext,
  actor: Actor,
  orgSlug: string,
  serviceSlug: string,
  refusal: OidcRefusal,
  known: RefusalContext,
  log: FastifyBaseLogger,
): Promise<void> {
  // Claimed values are unverified caller input: kept short, and the token itself is never logged.
  const claimed = {
    issuer: typeof known.claims?.iss === 'string' ? known.claims.iss.slice(0, 200) : undefined,
    subject: typeof known.claims?.sub === 'string' ? known.claims.sub.slice(0, 200) : undefined,
  };
  const detail = refusal.message.slice(0, 1000);
  log.warn(
    {
      org: orgSlug.slice(0, 100),
      service: serviceSlug.slice(0, 100),
      reason: refusal.reason,
      detail,
      ...claimed,
    },
    'OIDC token exchange refused',
  );
  const org = known.org;
  if (!org) return;
  // A failure to record must not turn the one generic refusal into a different answer.
  // A group commit too: refusals cost no sync each, so a flood of bad tokens cannot stall the disk.
  await inGroupCommit(ctx, (tx) =>
    recordAudit(tx, actor, ctx.clock(), {
      orgId: org.id,
      event: 'oidc.exchange_refused',
      eventKind: 'action',
      object: serviceSlug.slice(0, 100),
      objectKind: 'service_account',
      objectSlugPerm: known.service?.id ?? null,
      target: known.provider?.name ?? null,
      targetKind: known.provider ? 'oidc_provider' : null,
      targetSlugPerm: known.provider?.id ?? null,
      context: { reason: refusal.reason, detail, claimed },
    }),
  ).catch((err: unknown) => log.error({ err }, 'recording a refused OIDC exchange failed'));
}
