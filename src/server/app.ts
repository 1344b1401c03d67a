import path from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { resolveServiceKey } from './domain/access.js';
import type { BackgroundTask } from './domain/background.js';
import type { ServiceContext } from './domain/context.js';
import { ServiceError } from './domain/errors.js';
import { systemClock, type Clock } from './domain/ids.js';
import type { ServerConfig } from './config.js';
import { publicBaseUrl } from './config.js';
import { authHook } from './http/auth-hook.js';
import { installErrorHandler } from './http/errors.js';
import { createValidatorCompiler } from './http/validators.js';
import { OpenApiCollector } from './http/openapi.js';
import { RateLimiter } from './http/rate-limit.js';
import { ROUTE_MODULES } from './http/routes/index.js';
import type { App } from './http/types.js';
import { openDatabase } from './store/db.js';
import { prepareDataDir } from './store/data-dir.js';
import { openBlobStore, type OpenBlobStoreOptions } from './store/open-blob-store.js';
import { SERVICE_VERSION } from './version.js';
import { SERVICE_EXTENSIONS } from './extensions.js';
import { advisorySyncTask } from './scan/advisories/schedule.js';

/** Options for building the app that are not configuration: injected for tests. */
export interface BuildOptions {
  clock?: Clock;
  /** Start background tasks (upload expiry, scan worker, webhook delivery). Default true. */
  background?: boolean;
  /** A logger to use instead of the JSON-lines logger the config asks for. */
  logger?: FastifyBaseLogger;
  /** Thresholds of the blob store (tests lower them to reach the multipart-copy path). */
  blobStore?: OpenBlobStoreOptions;
}

/** The built service: the Fastify app (not listening), its context, and its background tasks. */
export interface BuiltApp {
  app: App;
  ctx: ServiceContext;
  tasks: BackgroundTask[];
}

/**
 * Builds the repository service from a parsed configuration without listening: opens (and
 * migrates) the database, the blob store and the data directory, and registers every route at
 * `/` and under `/v1`. `app.close()` stops background work and closes the database.
 */
export async function buildApp(config: ServerConfig, options: BuildOptions = {}): Promise<BuiltApp> {
  const { secret } = prepareDataDir(config.dataDir);
  const loggerOption = options.logger
    ? { loggerInstance: options.logger }
    : {
        logger: {
          level: config.logLevel,
          redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
          serializers: {
            // Signed upload URLs authorise by their query string: never log it.
            req: (req: { method: string; url: string; ip?: string }) => ({
              method: req.method,
              url: req.url.replace(/([?&]signature=)[^&]*/g, '$1[redacted]'),
              ip: req.ip,
            }),
          },
        },
      };
  const app = Fastify({
    ...loggerOption,
    bodyLimit: config.limits.jsonBodyBytes,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }).withTypeProvider<TypeBoxTypeProvider>() as App;
  app.setValidatorCompiler(createValidatorCompiler());

  // The blob store first: a wrong bucket or endpoint stops the start before any migration runs.
  const blobs = await openBlobStore(config, options.blobStore);
  const db = await openDatabase(
    config.database.kind === 'sqlite'
      ? { kind: 'sqlite', file: path.join(config.dataDir, 'airlock.db') }
      : { kind: 'postgres', url: config.database.url },
  );

  const ctx: ServiceContext = {
    config,
    db,
    blobs,
    clock: options.clock ?? systemClock,
    secret,
    log: app.log,
    baseUrl: publicBaseUrl(config),
    resolvers: [resolveServiceKey],
    listeners: [],
  };
  const tasks: BackgroundTask[] = [];
  for (const extend of SERVICE_EXTENSIONS) tasks.push(...(await extend(ctx)));
  if (config.advisories.syncIntervalSeconds > 0) {
    tasks.push(
      advisorySyncTask(ctx, {
        intervalSeconds: config.advisories.syncIntervalSeconds,
        source: config.advisories.source,
      }),
    );
  }

  const limiter = new RateLimiter(config.limits.requestsPerHour, ctx.clock);
  const openapi = new OpenApiCollector();
  app.decorateRequest('actor', null as never);
  app.addHook('onRoute', (route) => openapi.add(route));
  installErrorHandler(app);

  // An empty body with a JSON content type (the official CLI's bodyless POSTs) reads as {}.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new ServiceError(
          'invalid_json',
          `Malformed JSON body: ${err instanceof Error ? err.message : String(err)}`,
        ),
        undefined,
      );
    }
  });
  // Upload routes read their body as a stream; every other route refuses non-JSON bodies.
  app.addContentTypeParser('*', (request, payload, done) => {
    if (request.routeOptions.config.rawBody) return done(null, payload);
    done(
      new ServiceError(
        'unsupported_media_type',
        `Unsupported Content-Type '${request.headers['content-type'] ?? ''}': this endpoint takes application/json.`,
      ),
      undefined,
    );
  });

  app.addHook('onRequest', async (request, reply) => {
    await authHook(ctx, request, reply);
    limiter.check(request, reply);
  });
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (address && typeof address === 'object') ctx.baseUrl = publicBaseUrl(config, address.port);
  });

  const routes = (instance: App): void => {
    for (const register of ROUTE_MODULES) register(instance, ctx);
  };
  await app.register(async (scope) => routes(scope as App));
  await app.register(async (scope) => routes(scope as App), { prefix: '/v1' });
  app.get('/openapi.json', { config: { public: true } }, async () => openapi.document(SERVICE_VERSION));

  if (options.background !== false) for (const t of tasks) t.start();
  app.addHook('onClose', async () => {
    for (const t of tasks) await t.stop();
    await db.destroy();
  });
  return { app, ctx, tasks };
}
