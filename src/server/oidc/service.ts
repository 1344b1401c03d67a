import type { BackgroundTask } from '../domain/background.js';
import type { ServiceContext } from '../domain/context.js';
import { LOOPBACK_CIDRS, OutboundPolicy } from '../net/address-policy.js';
import { leasedIntervalTask } from '../jobs/scheduler.js';
import { KeySetCache } from './key-sets.js';
import { pruneExpiredTokens, resolveOidcToken } from './tokens.js';

const PRUNE_INTERVAL_MS = 3600_000;
/** Expired tokens stay listed this long (so a Manager can still see what ran), then go. */
const KEEP_EXPIRED_MS = 7 * 24 * 3600_000;

/** The OIDC subsystem of one running service: the issuers' cached keys and the token pruning. */
export interface OidcService {
  keys: KeySetCache;
  /** The outbound address rules of issuer discovery and JWKS fetches. */
  policy: OutboundPolicy;
  /** What runs in the background: removal of long-expired tokens. */
  tasks: BackgroundTask[];
}

/**
 * The address rules of issuer fetches: `outbound.allow`, plus loopback when the service runs
 * with `--allow-loopback-issuers` (which exists to trust a local issuer, so it implies that
 * issuer's loopback address may be reached — for issuer fetches only, not for webhooks).
 */
export function issuerPolicy(ctx: ServiceContext): OutboundPolicy {
  const { allow } = ctx.config.outbound;
  return new OutboundPolicy(ctx.config.allowLoopbackIssuers ? [...allow, ...LOOPBACK_CIDRS] : allow);
}

/**
 * Builds OIDC trust: exchanged tokens become valid credentials, the issuers' key cache is set
 * up, and a background task removes long-expired tokens.
 */
export function createOidcService(ctx: ServiceContext): OidcService {
  ctx.resolvers.push(resolveOidcToken);
  const policy = issuerPolicy(ctx);
  const keys = new KeySetCache({
    clock: ctx.clock,
    allowLoopback: ctx.config.allowLoopbackIssuers,
    policy,
    log: ctx.log,
  });
  // Pruning is one DELETE for all replicas: one holder of the lease runs it.
  const prune = leasedIntervalTask(
    ctx,
    'oidc-token-prune',
    PRUNE_INTERVAL_MS,
    async () => {
      const removed = await pruneExpiredTokens(ctx, new Date(ctx.clock().getTime() - KEEP_EXPIRED_MS));
      if (removed > 0) ctx.log.info({ removed }, 'removed expired OIDC tokens');
    },
    (err) => ctx.log.error({ err }, 'pruning expired OIDC tokens failed'),
    { clock: ctx.clock },
  );
  return { keys, policy, tasks: [prune] };
}
