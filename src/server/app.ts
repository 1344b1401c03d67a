import type { IncomingMessage } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '../api/type.js';
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
import { fastifySerializerCompiler, LazySerializers } from './http/lazy-compilers.js';
import { createValidatorCompiler } from './http/validators.js';
import { OpenApiCollector } from './http/openapi.js';
import { ROUTE_MODULES } from './http/routes/index.js';
import { npmRoutes } from './http/routes/npm.js';
import type { App } from './http/types.js';
import { openStores } from './store/open-stores.js';
import { observeScans, sharedGauges } from './domain/operations.js';
import { createMetrics, metricsAccess, sendMetrics } from './http/metrics.js';
import type { ServiceMetrics } from './domain/metrics.js';
import type { OpenBlobStoreOptions } from './store/open-blob-store.js';
import { SERVICE_VERSION } from './version.js';
import { buildServices, type AppServices } from './services.js';
import { registerWebRoutes } from './web/routes.js';
import { advisorySyncTask } from './scan/advisories/schedule.js';

/**
 * Fastify's `trustProxy` from the configuration: a hop count becomes the function Fastify would
 * build from it (its types leave numbers out).
 */
function trustProxyOption(
  value: ServerConfig['trustProxy'],
): boolean | string[] | ((a: string, hop: number) => boolean) {
  if (typeof value !== 'number') return value as boolean | string[];
  return (_address, hop) => hop < value;
}

/** Where Prometheus scrapes. */
const METRICS_PATH = '/metrics';

/**
 * Counts an upload body's bytes as they arrive. The listener goes on once the route starts
 * reading (the stream's 'resume'): attached earlier, it would start the flow before the route's
 * pipe is in place and bytes would be lost to it.
 */
function countBodyBytes(raw: IncomingMessage, metrics: ServiceMetrics): void {
  raw.once('resume', () => raw.on('data', (chunk: Buffer) => metrics.observeUploadBytes(chunk.length)));
}

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

/** The built service: the Fastify app (not listening), its context, its services and background tasks. */
export interface BuiltApp {
  app: App;
  ctx: ServiceContext;
  services: AppServices;
  tasks: BackgroundTask[];
  /**
   * Compiles every request validator and response serializer not compiled yet (each compiles on
   * its route's first use); returns how many it compiled. Throws on a schema that cannot compile.
   */
  compileSchemas(): number;
}

/**
 * Builds the repository service from a parsed configuration without listening: opens (and
 * migrates) the database, the blob store and the data directory, and registers every route at
 * `/` and under `/v1`. `app.close()` stops background work and closes the database.
 */
export async function buildApp(config: ServerConfig, options: BuildOptions = {}): Promise<BuiltApp> {
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
    trustProxy: trustProxyOption(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  }).withTypeProvider<TypeBoxTypeProvider>() as App;
  const validators = createValidatorCompiler();
  app.setValidatorCompiler(validators);
  const serializers = new LazySerializers(await fastifySerializerCompiler());
  app.setSerializerCompiler(serializers.compiler);

  const { db, blobs, secret } = await openStores(config, options.blobStore);

  const clock = options.clock ?? systemClock;
  const metrics = createMetrics(sharedGauges(db, clock), clock);
  const ctx: ServiceContext = {
    config,
    db,
    blobs,
    clock,
    secret,
    log: app.log,
    baseUrl: publicBaseUrl(config),
    resolvers: [resolveServiceKey],
    listeners: [],
    metrics,
  };
  const services = await buildServices(ctx);
  const tasks: BackgroundTask[] = [...services.tasks];
  if (config.advisories.syncIntervalSeconds > 0) {
    tasks.push(
      advisorySyncTask(ctx, {
        intervalSeconds: config.advisories.syncIntervalSeconds,
        source: config.advisories.source,
      }),
    );
  }

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
    if (request.routeOptions.config.rawBody) countBodyBytes(request.raw, metrics);
    // /metrics checks its own token: a scraper's bearer token is not an API credential.
    if (request.routeOptions.url === METRICS_PATH) return;
    await authHook(ctx, services.failedAuth, request, reply);
    services.requests.check(request, reply);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  observeScans(ctx, metrics);
  app.addHook('onListen', async () => {
    const address = app.server.address();
    if (address && typeof address === 'object') ctx.baseUrl = publicBaseUrl(config, address.port);
  });

  const routes = (instance: App): void => {
    for (const register of ROUTE_MODULES) register(instance, ctx, services);
  };
  await app.register(async (scope) => routes(scope as App));
  await app.register(async (scope) => routes(scope as App), { prefix: '/v1' });
  // The npm registry speaks npm's protocol (its own errors and body parsing), at one place only.
  await app.register(async (scope) => npmRoutes(scope as App, ctx), { prefix: '/npm' });
  // The web interface: pages at the root only, in a scope of their own (form bodies, cookies,
  // HTML errors and the Content-Security-Policy stay there).
  await app.register(async (scope) => registerWebRoutes(scope as App, ctx, services));
  app.get('/openapi.json', { config: { public: true } }, async () => openapi.document(SERVICE_VERSION));
  app.get(
    METRICS_PATH,
    {
      config: { public: true },
      schema: {
        summary: 'Prometheus metrics in the text format (Airlock extra; see docs/self-hosting.md)',
        tags: ['status'],
        response: { 200: Type.String() },
      },
    },
    async (request, reply) => {
      const access = metricsAccess(request, config.metrics.token);
      if (access === 'no_token')
        throw new ServiceError(
          'not_authenticated',
          'GET /metrics needs the metrics token as a bearer token.',
        );
      if (access === 'not_local')
        throw new ServiceError(
          'permission_denied',
          'GET /metrics answers loopback clients only unless a metrics token is configured (--metrics-token).',
        );
      return sendMetrics(metrics, reply);
    },
  );

  if (options.background !== false) for (const t of tasks) t.start();
  app.addHook('onClose', async () => {
    for (const t of tasks) await t.stop();
    await db.destroy();
  });
  const compileSchemas = (): number => validators.compileAll() + serializers.compileAll();
  return { app, ctx, services, tasks, compileSchemas };
}
