import Fastify, { type FastifyInstance, type FastifySerializerCompiler } from 'fastify';
import { fastifySerializerCompiler, LazySerializers } from '../../../src/server/http/lazy-compilers.js';
import { createValidatorCompiler } from '../../../src/server/http/validators.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

const Item = {
  type: 'object',
  properties: { name: { type: 'string' }, size: { type: 'integer' } },
  required: ['name'],
} as const;

/** Starts `app` on a loopback port; resolves with a fetch for paths on it. */
async function serve(app: FastifyInstance): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return (path, init) => fetch(`http://127.0.0.1:${port}${path}`, init);
}

function postJson(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

/** Fastify's serializer compiler, counting the schemas it is asked to compile. */
async function countingCompiler(): Promise<{
  compile: FastifySerializerCompiler<unknown>;
  calls: () => number;
}> {
  const real = await fastifySerializerCompiler();
  let calls = 0;
  return {
    compile: (route) => {
      calls++;
      return real(route);
    },
    calls: () => calls,
  };
}

describe('response serializers compiled on first use', () => {
  it('serializes as Fastify does: properties outside the schema are left out, types are coerced', async () => {
    const { compile, calls } = await countingCompiler();
    const lazy = new LazySerializers(compile);
    const app = Fastify();
    app.setSerializerCompiler(lazy.compiler);
    app.get('/item', { schema: { response: { 200: Item } } }, async () => ({
      name: 'a',
      size: '3',
      secret: 'not in the schema',
    }));
    const get = await serve(app);
    expect(calls()).toBe(0);
    const res = await get('/item');
    expect(await res.json()).toEqual({ name: 'a', size: 3 });
    expect(calls()).toBe(1);
    await app.close();
  });

  it('compiles a schema that two routes share once, and compileAll compiles only what is left', async () => {
    const { compile, calls } = await countingCompiler();
    const lazy = new LazySerializers(compile);
    const app = Fastify();
    app.setSerializerCompiler(lazy.compiler);
    const Other = { type: 'object', properties: { id: { type: 'string' } } };
    app.get('/a', { schema: { response: { 200: Item } } }, async () => ({ name: 'a' }));
    app.get('/v1/a', { schema: { response: { 200: Item } } }, async () => ({ name: 'b' }));
    app.get('/b', { schema: { response: { 200: Other } } }, async () => ({ id: 'x' }));
    const get = await serve(app);
    expect(await (await get('/a')).json()).toEqual({ name: 'a' });
    expect(await (await get('/v1/a')).json()).toEqual({ name: 'b' });
    expect(calls()).toBe(1);
    // The HEAD routes Fastify adds share their GET route's schema too.
    expect(lazy.compileAll()).toBeGreaterThan(0);
    expect(calls()).toBe(2);
    expect(lazy.compileAll()).toBe(0);
    await app.close();
  });

  it('fails compileAll on a schema Fastify cannot compile', async () => {
    const lazy = new LazySerializers(await fastifySerializerCompiler());
    const app = Fastify();
    app.setSerializerCompiler(lazy.compiler);
    const broken = { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } };
    app.get('/broken', { schema: { response: { 200: broken } } }, async () => ({}));
    await app.ready();
    expect(() => lazy.compileAll()).toThrow(/missing/);
    await app.close();
  });
});

describe('request validators compiled on first use', () => {
  const Query = {
    type: 'object',
    properties: { page: { type: 'integer', minimum: 1 } },
    additionalProperties: false,
  } as const;

  it('coerces query strings and refuses a bad value with Ajv’s message', async () => {
    const app = Fastify();
    const validators = createValidatorCompiler();
    app.setValidatorCompiler(validators);
    app.get('/list', { schema: { querystring: Query } }, async (request) => request.query);
    const get = await serve(app);
    expect(await (await get('/list?page=2')).json()).toEqual({ page: 2 });
    const bad = await get('/list?page=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/page must be >= 1/);
    await app.close();
  });

  it('refuses a JSON body of the wrong type without coercing it, and compileAll compiles the rest', async () => {
    const app = Fastify();
    const validators = createValidatorCompiler();
    app.setValidatorCompiler(validators);
    app.post('/items', { schema: { body: Item } }, async (request) => request.body);
    app.post(
      '/other',
      { schema: { body: { type: 'object', properties: { id: { type: 'string' } } } } },
      async () => ({}),
    );
    const send = await serve(app);
    const wrong = await send('/items', postJson({ name: 42 }));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/name must be string/);
    const right = await send('/items', postJson({ name: 'x', size: 1 }));
    expect(await right.json()).toEqual({ name: 'x', size: 1 });
    expect(validators.compileAll()).toBe(1);
    expect(validators.compileAll()).toBe(0);
    await app.close();
  });
});

describe('the service', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('compiles every schema of every route', async () => {
    // Hundreds of schemas wait for their first use; each one must compile.
    expect(server.compileSchemas()).toBeGreaterThan(200);
    expect(server.compileSchemas()).toBe(0);
  });
});
