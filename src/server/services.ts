import type { BackgroundTask } from './domain/background.js';
import type { ServiceContext } from './domain/context.js';
import { packageMatchesQuery } from './domain/package-query.js';
import { renderPackageById } from './domain/package-view.js';
import { uploadExpiryTasks } from './domain/upload-expiry.js';
import { webSessionPruning } from './domain/web-sessions.js';
import { createWebhookService, type WebhookService } from './hooks/service.js';
import { FailedAuthLimiter, RateLimiter } from './http/rate-limit.js';
import { createOidcService, type OidcService } from './oidc/service.js';
import { evaluatePoliciesIn } from './policies/evaluate.js';
import { createScanService, type ScanService } from './scan/service.js';
import { createConfiguredPool } from './scan/worker/run-in-worker.js';

/**
 * The running parts of one service instance, built once by buildApp and handed to the routes
 * that use them: nothing is looked up from a module-level registry at request time.
 */
export interface AppServices {
  scan: ScanService;
  webhooks: WebhookService;
  oidc: OidcService;
  /** Requests per hour per caller (`limits.requestsPerHour`). */
  requests: RateLimiter;
  /** Failed credentials per hour per address (`limits.failedAuthPerHour`). */
  failedAuth: FailedAuthLimiter;
  /** Every background task of the instance, in start order. */
  tasks: BackgroundTask[];
}

/**
 * The composition root: builds each subsystem on the context, wiring the scanner to the
 * configured pool of scan worker processes and the policy evaluator, and webhooks to the package renderer.
 * Webhooks come before the scanner, so the events of a scan find the webhook listener in place.
 */
export async function buildServices(ctx: ServiceContext): Promise<AppServices> {
  const oidc = createOidcService(ctx);
  const expiry = await uploadExpiryTasks(ctx);
  const webhooks = createWebhookService(ctx, renderPackageById, packageMatchesQuery);
  const pool = createConfiguredPool(ctx);
  const scan = createScanService(
    ctx,
    {
      analyse: (_c, input) => pool.analyse(input),
      evaluatePolicies: (c, tx, id, scans) => evaluatePoliciesIn(c, tx, packageMatchesQuery, id, scans),
    },
    { concurrency: pool.size, workers: pool },
  );
  return {
    scan,
    webhooks,
    oidc,
    requests: new RateLimiter(ctx.config.limits.requestsPerHour, ctx.clock),
    failedAuth: new FailedAuthLimiter(ctx.config.limits.failedAuthPerHour, ctx.clock),
    tasks: [...oidc.tasks, ...expiry, ...webhooks.tasks, ...scan.tasks, webSessionPruning(ctx)],
  };
}
