import type { BackgroundTask } from './domain/background.js';
import type { ServiceContext } from './domain/context.js';
import { oidcExtension } from './oidc/extension.js';
import { uploadExpiryExtension } from './domain/upload-expiry.js';
import { packageMatchesQuery } from './domain/package-query.js';
import { renderPackageById } from './domain/package-view.js';
import { webhookExtension } from './hooks/extension.js';
import { evaluatePolicies } from './policies/evaluate.js';
import { scanExtension } from './scan/extension.js';
import { analyseWithConfiguredWorker } from './scan/worker/run-in-worker.js';

/**
 * Subsystems that hook into the service at build time (credential resolvers, package event
 * listeners) and may bring background tasks: upload expiry, the scan worker, webhook delivery.
 */
export type ServiceExtension = (ctx: ServiceContext) => Promise<BackgroundTask[]> | BackgroundTask[];

/** Every extension, in the order they are installed. */
export const SERVICE_EXTENSIONS: ServiceExtension[] = [
  oidcExtension,
  uploadExpiryExtension,
  // Webhooks before the scanner, so a scan's events find the webhook listener installed.
  webhookExtension(renderPackageById, packageMatchesQuery),
  scanExtension({
    analyse: analyseWithConfiguredWorker,
    evaluatePolicies: (ctx, id, scans) => evaluatePolicies(ctx, packageMatchesQuery, id, scans),
  }),
];
