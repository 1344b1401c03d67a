import { ServiceError } from '../../domain/errors.js';
import type { RouteModule } from '../types.js';

/** Why `/entitlements/…` answers 404, and what to use instead. */
export const NO_ENTITLEMENTS =
  'Airlock has no entitlement tokens (read-only download tokens). Give a reader a service account ' +
  'with the Read privilege on the repository instead (docs/access.md).';

/**
 * `/entitlements/{owner}/{repo}/…` (`cloudsmith list entitlements`, `cloudsmith entitlements …`):
 * a 404 that says the feature does not exist here, rather than the generic "No such endpoint".
 * No schema, so the API description does not list an endpoint that does nothing.
 */
export const entitlementRoutes: RouteModule = (app) => {
  app.all('/entitlements/*', { config: { public: true } }, async () => {
    throw new ServiceError('not_found', NO_ENTITLEMENTS);
  });
};
