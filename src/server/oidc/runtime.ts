import type { ServiceContext } from '../domain/context.js';
import { KeySetCache } from './key-sets.js';

/** State the OIDC subsystem keeps for one service instance: the issuers' cached keys. */
export interface OidcRuntime {
  keys: KeySetCache;
}

const runtimes = new WeakMap<ServiceContext, OidcRuntime>();

/** The OIDC state of this service instance, created on first use (one per built app). */
export function oidcRuntime(ctx: ServiceContext): OidcRuntime {
  let runtime = runtimes.get(ctx);
  if (!runtime) {
    runtime = {
      keys: new KeySetCache({
        clock: ctx.clock,
        allowLoopback: ctx.config.allowLoopbackIssuers,
        log: ctx.log,
      }),
    };
    runtimes.set(ctx, runtime);
  }
  return runtime;
}
