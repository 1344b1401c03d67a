import { Type } from '../../../api/type.js';
import { listFeedStatus } from '../../scan/advisories/feeds.js';
import { readiness } from '../../domain/operations.js';
import { SERVICE_VERSION } from '../../version.js';
import type { RouteModule } from '../types.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const AdvisoryFeedStatus = Type.Object({
  ecosystem: Type.String({ description: 'OSV ecosystem name (npm, PyPI, Go, crates.io, …).' }),
  advisories: Type.Integer({ minimum: 0, description: 'Advisories held now (withdrawn ones not counted).' }),
  source: Type.String({
    description: 'Where the data last came from (a URL without credentials, or a path).',
  }),
  updated_at: Nullable(Type.String({ description: 'Last successful sync or import; null when never.' })),
  checked_at: Nullable(Type.String({ description: 'Last sync attempt.' })),
  age_seconds: Nullable(Type.Integer({ minimum: 0, description: 'Seconds since updated_at.' })),
  last_error: Nullable(
    Type.String({ description: 'What went wrong on the last attempt; null when it succeeded.' }),
  ),
});

const Checks = Type.Object({
  database: Type.String({ description: "'ok', or what went wrong." }),
  blobs: Type.String({ description: "'ok', or what went wrong." }),
});

/**
 * `GET /status/check/basic/`: liveness, `GET /status/check/ready/`: readiness (database and
 * blob store answer; 503 naming what failed), and `GET /status/advisories/`: how fresh each
 * ecosystem's advisory data is. Both without credentials; neither shows a secret or a validator.
 */
export const statusRoutes: RouteModule = (app, ctx) => {
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
  app.get(
    '/status/check/ready/',
    {
      config: { public: true },
      schema: {
        summary: 'Readiness: the database and the blob store answer (Airlock extra)',
        tags: ['status'],
        response: {
          200: Type.Object({ detail: Type.String(), checks: Checks }),
          503: Type.Object({ detail: Type.String(), code: Type.Literal('unavailable'), checks: Checks }),
        },
      },
    },
    async (_request, reply) => {
      const checks = await readiness(ctx);
      const failed = Object.entries(checks).filter(([, result]) => result !== 'ok');
      if (failed.length === 0) return { detail: 'Ready.', checks };
      const detail = `Not ready: ${failed.map(([name, result]) => `${name}: ${result}`).join('; ')}.`;
      return reply.code(503).send({ detail, code: 'unavailable' as const, checks });
    },
  );
  app.get(
    '/status/advisories/',
    {
      config: { public: true },
      schema: {
        summary: 'Advisory data freshness (Airlock extra)',
        tags: ['status'],
        response: { 200: Type.Object({ ecosystems: Type.Array(AdvisoryFeedStatus) }) },
      },
    },
    async () => ({ ecosystems: await listFeedStatus(ctx, ctx.clock()) }),
  );
};
