import type { BackgroundTask } from './domain/background.js';
import type { ServiceContext } from './domain/context.js';

/**
 * Subsystems that hook into the service at build time (credential resolvers, package event
 * listeners) and may bring background tasks: upload expiry, the scan worker, webhook delivery.
 */
export type ServiceExtension = (ctx: ServiceContext) => Promise<BackgroundTask[]> | BackgroundTask[];

/** Every extension, in the order they are installed. */
export const SERVICE_EXTENSIONS: ServiceExtension[] = [];
