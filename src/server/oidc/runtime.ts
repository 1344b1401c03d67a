import type { ServiceContext } from '../domain/context.js';
import { LOOPBACK_CIDRS, OutboundPolicy } from '../net/address-policy.js';
import { KeySetCache } from './key-sets.js';

/** State the OIDC subsystem keeps for one service instance: the issuers' cached keys. */
export interface OidcRuntime {
  keys: KeySetCache;
  /** The outbound address rules of issuer discovery and JWKS fetches. */
  policy: OutboundPolicy;
}

const runtimes = new WeakMap<ServiceContext, OidcRuntime>();

/**
 * The address rules of issuer fetches: `outbound.allow`, plus loopback when the service runs
 * with `--allow-loopback-issuers` (which exists to trust a local issuer, so it implies that
 * issuer's loopback address may be reached — for issuer fetches only, not for webhooks).
 */
export function issuerPolicy(ctx: ServiceContext): OutboundPolicy {
  const { allow } = ctx.config.outbound;
  return new OutboundPolicy(ctx.config.allowLoopbackIssuers ? [...allow, ...LOOPBACK_CIDRS] : allow);
}

/** The OIDC state of this service instance, created on first use (one per built app). */
export function oidcRuntime(ctx: ServiceContext): OidcRuntime {
  let runtime = runtimes.get(ctx);
  if (!runtime) {
    const policy = issuerPolicy(ctx);
    runtime = {
      policy,
      keys: new KeySetCache({
        clock: ctx.clock,
        allowLoopback: ctx.config.allowLoopbackIssuers,
        policy,
        log: ctx.log,
      }),
    };
    runtimes.set(ctx, runtime);
  }
  return runtime;
}
