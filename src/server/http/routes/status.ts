import { Type } from 'typebox';
import { SERVICE_VERSION } from '../../version.js';
import type { RouteModule } from '../types.js';

/** `GET /status/check/basic/`: liveness, without credentials. */
export const statusRoutes: RouteModule = (app) => {
  app.get(
    '/status/check/basic/',
    {
      config: { public: true },
      schema: {
        summary: 'Service status',
        tags: ['status'],
        response: { 200: Type.Object({ detail: Type.String(), version: Type.String() }) },
      },
    },
    async () => ({ detail: 'Airlock API is operational.', version: SERVICE_VERSION }),
  );
};
