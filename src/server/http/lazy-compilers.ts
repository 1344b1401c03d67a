import Fastify, { type FastifySerializerCompiler } from 'fastify';

type Serializer = (data: unknown) => string;

/**
 * Response serializers that are compiled when a route first answers, not when it is registered.
 *
 * Fastify compiles every response schema of every route at start: with the `/v1` alias that is
 * some 240 generated functions, about 14 MiB of the idle service's memory, most of them for
 * routes a given deployment never calls. Compiling on first use moves that cost to the first
 * response of each route (a few milliseconds) and shares one serializer between the two aliases
 * of a route, which hand Fastify the same schema object.
 */
export class LazySerializers {
  private readonly compiled = new WeakMap<object, Serializer>();
  private readonly pending = new Set<() => Serializer>();

  constructor(private readonly compile: FastifySerializerCompiler<unknown>) {}

  /** The compiler to hand `app.setSerializerCompiler`. */
  readonly compiler: FastifySerializerCompiler<unknown> = (route) => {
    const key = route.schema as object;
    let serializer: Serializer | null = null;
    const resolve = (): Serializer => {
      if (!serializer) {
        serializer = this.compiled.get(key) ?? (this.compile(route) as Serializer);
        this.compiled.set(key, serializer);
        this.pending.delete(resolve);
      }
      return serializer;
    };
    this.pending.add(resolve);
    return (data: unknown) => resolve()(data);
  };

  /**
   * Compiles every serializer not compiled yet, so that a schema Fastify cannot compile fails
   * here (tests call it) rather than on the route's first response. Returns how many it compiled.
   */
  compileAll(): number {
    const waiting = [...this.pending];
    for (const resolve of waiting) resolve();
    return waiting.length;
  }
}

/**
 * Fastify's own serializer compiler (fast-json-stringify with Fastify's options). Fastify builds
 * it only for an instance that registers a route with a response schema, and exposes it once
 * built: a throwaway instance with one such route yields it.
 */
export async function fastifySerializerCompiler(): Promise<FastifySerializerCompiler<unknown>> {
  const probe = Fastify({ logger: false });
  probe.get('/', { schema: { response: { 200: { type: 'null' } } } }, async () => null);
  await probe.ready();
  const compiler = probe.serializerCompiler;
  await probe.close();
  if (!compiler) throw new Error('Fastify did not build its response serializer compiler.');
  return compiler;
}
