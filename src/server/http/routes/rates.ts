import type { Static } from 'typebox';
import { Type } from '../../../api/type.js';
import type { RouteModule } from '../types.js';

/** The one resource Airlock limits: every API request of a caller counts against it. */
const RESOURCE = 'core';

const RateCheck = Type.Object({
  limit: Type.Integer({ description: 'Requests allowed per hour.' }),
  remaining: Type.Integer({ description: 'Requests left in the current hour.' }),
  reset: Type.Integer({ description: 'When the current hour ends (Unix seconds).' }),
  reset_iso_8601: Type.String({ description: 'The same instant as an ISO 8601 timestamp.' }),
  interval: Type.Number({ description: 'Seconds to wait before the next request: 0 unless throttled.' }),
  throttled: Type.Boolean(),
});

const RateLimits = Type.Object({
  resources: Type.Record(Type.String(), RateCheck, {
    description: "Per resource ('core': every API request). Empty when the service does not throttle.",
  }),
});

/**
 * `GET /rates/limits/` (what `cloudsmith check rates` shows): the caller's standing in the hourly
 * window the `X-RateLimit-*` headers describe, counted like any other request, from the
 * instance's request limiter.
 */
export const rateRoutes: RouteModule = (app, _ctx, { requests: limiter }) => {
  app.get(
    '/rates/limits/',
    {
      config: { public: true },
      schema: {
        summary: "The caller's API rate limits (service account, or client address when anonymous)",
        tags: ['status'],
        response: { 200: RateLimits },
      },
    },
    async (request): Promise<Static<typeof RateLimits>> => {
      const status = limiter.status(request);
      if (!status) return { resources: {} };
      const reset_iso_8601 = new Date(status.reset * 1000).toISOString();
      return { resources: { [RESOURCE]: { ...status, reset_iso_8601 } } };
    },
  );
};
