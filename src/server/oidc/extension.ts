import { intervalTask, type BackgroundTask } from '../domain/background.js';
import type { ServiceContext } from '../domain/context.js';
import { oidcRuntime } from './runtime.js';
import { pruneExpiredTokens, resolveOidcToken } from './tokens.js';

const PRUNE_INTERVAL_MS = 3600_000;
/** Expired tokens stay listed this long (so a Manager can still see what ran), then go. */
const KEEP_EXPIRED_MS = 7 * 24 * 3600_000;

/**
 * Installs OIDC trust: exchanged tokens become valid credentials, the issuers' key cache is set
 * up, and a background task removes long-expired tokens.
 */
export function oidcExtension(ctx: ServiceContext): BackgroundTask[] {
  ctx.resolvers.push(resolveOidcToken);
  oidcRuntime(ctx);
  const prune = intervalTask(
    'oidc-token-prune',
    PRUNE_INTERVAL_MS,
    async () => {
      const removed = await pruneExpiredTokens(ctx, new Date(ctx.clock().getTime() - KEEP_EXPIRED_MS));
      if (removed > 0) ctx.log.info({ removed }, 'removed expired OIDC tokens');
    },
    (err) => ctx.log.error({ err }, 'pruning expired OIDC tokens failed'),
  );
  return [prune];
}
