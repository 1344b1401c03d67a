import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../src/client/errors.js';
import { followRedirect, Transport } from '../../src/client/http.js';
import { fakeTiming, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/server.js';

describe('Transport', () => {
  let server: ScriptedServer;
  let timing: ReturnType<typeof fakeTiming>;

  beforeEach(async () => {
    server = await startScriptedServer();
    timing = fakeTiming();
  });
  afterEach(async () => {
    await server.close();
  });

  const transport = (extra: Partial<ConstructorParameters<typeof Transport>[0]> = {}) =>
    new Transport({ baseUrl: server.url, apiKey: 'key-1', retries: 3, timing, ...extra });

  it('retries 503 twice and then returns the 200 answer', async () => {
    server.on(
      'GET',
      '/user/self/',
      { status: 503, json: { detail: 'busy' } },
      { status: 503 },
      {
        status: 200,
        json: { authenticated: true, slug: 'ci' },
      },
    );
    const reply = await transport().call<{ slug: string }>({ method: 'GET', path: '/user/self/' });
    expect(reply.data.slug).toBe('ci');
    expect(server.calls('GET', '/user/self/')).toHaveLength(3);
    expect(timing.waits).toHaveLength(2);
  });

  it('waits the Retry-After seconds of a 429 before trying again', async () => {
    server.on(
      'GET',
      '/x/',
      { status: 429, headers: { 'retry-after': '7' }, json: { detail: 'slow down' } },
      {
        status: 200,
        json: {},
      },
    );
    await transport().call({ method: 'GET', path: '/x/' });
    expect(timing.waits).toEqual([7000]);
  });

  it('honours a Retry-After given as an HTTP date, capped', async () => {
    const now = Date.parse('2026-11-23T10:00:00Z');
    server.on(
      'GET',
      '/x/',
      { status: 503, headers: { 'retry-after': 'Tue, 24 Nov 2026 10:00:00 GMT' } },
      {
        status: 200,
        json: {},
      },
    );
    await transport({ now: () => now, timing: { ...timing, maxRetryAfterMs: 30_000 } }).call({
      method: 'GET',
      path: '/x/',
    });
    expect(timing.waits).toEqual([30_000]);
  });

  it('retries a GET whose connection was reset', async () => {
    server.on('GET', '/x/', { reset: true }, { status: 200, json: { ok: true } });
    const reply = await transport().call<{ ok: boolean }>({ method: 'GET', path: '/x/' });
    expect(reply.data.ok).toBe(true);
    expect(server.calls('GET', '/x/')).toHaveLength(2);
  });

  it('does not retry a non-idempotent POST whose connection was reset, as it may have been processed', async () => {
    server.on('POST', '/packages/acme/dev/upload/raw/', { reset: true }, { status: 201, json: {} });
    await expect(
      transport().call({
        method: 'POST',
        path: '/packages/acme/dev/upload/raw/',
        json: { package_file: 'f' },
      }),
    ).rejects.toThrow(/^POST \/packages\/acme\/dev\/upload\/raw\/: .*(ECONNRESET|socket hang up)/);
    expect(server.calls('POST', '/packages/acme/dev/upload/raw/')).toHaveLength(1);
  });

  it('does not retry a non-idempotent POST answered 503, but does retry one declared idempotent', async () => {
    server.on('POST', '/copy/', { status: 503, json: { detail: 'down' } }, { status: 200, json: {} });
    await expect(transport().call({ method: 'POST', path: '/copy/', json: {} })).rejects.toThrow(/503/);
    expect(server.calls('POST', '/copy/')).toHaveLength(1);
    server.on('POST', '/openid/acme/', { status: 503 }, { status: 200, json: { token: 't' } });
    await transport().call({ method: 'POST', path: '/openid/acme/', json: {}, idempotent: true });
    expect(server.calls('POST', '/openid/acme/')).toHaveLength(2);
  });

  it('retries a POST that was throttled with 429, since the server did not process it', async () => {
    server.on(
      'POST',
      '/copy/',
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, json: { slug: 'c' } },
    );
    const reply = await transport().call<{ slug: string }>({ method: 'POST', path: '/copy/', json: {} });
    expect(reply.data.slug).toBe('c');
  });

  it('retries a POST when the connection is refused, as nothing reached the server', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    let later: http.Server | undefined;
    const t = new Transport({
      baseUrl: `http://127.0.0.1:${port}`,
      retries: 2,
      timing: {
        random: () => 0,
        // The server comes up while the client waits to retry.
        sleep: async () => {
          later ??= http.createServer((_req, res) =>
            res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":1}'),
          );
          if (!later.listening)
            await new Promise<void>((resolve) => later!.listen(port, '127.0.0.1', resolve));
        },
      },
    });
    try {
      const reply = await t.call<{ ok: number }>({
        method: 'POST',
        path: '/packages/acme/dev/upload/raw/',
        json: {},
      });
      expect(reply.status).toBe(201);
    } finally {
      await new Promise<void>((resolve) => (later ? later.close(() => resolve()) : resolve()));
    }
  });

  it('fails at once on a 403 with the server detail and code, without retrying', async () => {
    server.on('GET', '/packages/acme/dev/', {
      status: 403,
      json: { detail: 'You do not have permission to perform this action.', code: 'permission_denied' },
    });
    const err = await transport()
      .call({ method: 'GET', path: '/packages/acme/dev/' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.name).toBe('ApiError');
    expect(apiError.status).toBe(403);
    expect(apiError.code).toBe('permission_denied');
    expect(apiError.message).toBe(
      'GET /packages/acme/dev/: 403 permission_denied — You do not have permission to perform this action.',
    );
    expect(server.calls('GET', '/packages/acme/dev/')).toHaveLength(1);
    expect(timing.waits).toEqual([]);
  });

  it('names the fields of a validation error', async () => {
    server.on('POST', '/files/acme/dev/', {
      status: 422,
      json: {
        detail: 'Invalid body',
        fields: { sha256_checksum: ['Must be 64 hex digits.'] },
        code: 'validation_failed',
      },
    });
    await expect(transport().call({ method: 'POST', path: '/files/acme/dev/', json: {} })).rejects.toThrow(
      'POST /files/acme/dev/: 422 validation_failed — Invalid body (sha256_checksum: Must be 64 hex digits.)',
    );
  });

  it('says how many attempts were made when the retries run out', async () => {
    server.on('GET', '/x/', { status: 502, text: '<html>Bad gateway</html>' });
    const err = (await transport({ retries: 2 })
      .call({ method: 'GET', path: '/x/' })
      .catch((e: unknown) => e)) as ApiError;
    expect(err.attempts).toBe(3);
    expect(err.message).toBe('GET /x/: 502 — <html>Bad gateway</html> [after 3 attempts]');
  });

  it('retries a request that timed out', async () => {
    server.on('GET', '/slow/', { hang: true }, { status: 200, json: { done: true } });
    const reply = await transport({ timeoutMs: 200 }).call<{ done: boolean }>({
      method: 'GET',
      path: '/slow/',
    });
    expect(reply.data.done).toBe(true);
  });

  it('sends the key as X-Api-Key by default and as a Bearer token when asked', async () => {
    server.on('GET', '/user/self/', { status: 200, json: {} });
    await transport().call({ method: 'GET', path: '/user/self/' });
    await transport({ authScheme: 'bearer' }).call({ method: 'GET', path: '/user/self/' });
    const [first, second] = server.calls('GET', '/user/self/');
    expect(first!.headers['x-api-key']).toBe('key-1');
    expect(first!.headers.authorization).toBeUndefined();
    expect(second!.headers.authorization).toBe('Bearer key-1');
    expect(second!.headers['x-api-key']).toBeUndefined();
  });

  it('asks a token source for the credential before every attempt', async () => {
    let n = 0;
    server.on('GET', '/x/', { status: 503 }, { status: 200, json: {} });
    await transport({ apiKey: undefined, getToken: async () => `token-${++n}` }).call({
      method: 'GET',
      path: '/x/',
    });
    expect(server.calls('GET', '/x/').map((r) => r.headers['x-api-key'])).toEqual(['token-1', 'token-2']);
  });

  it('follows a redirect on the same origin with the credential and the body', async () => {
    server.on('POST', '/old/', { status: 307, headers: { location: '/new/' } });
    server.on('POST', '/new/', { status: 200, json: { moved: true } });
    await transport().call({ method: 'POST', path: '/old/', json: { a: 1 } });
    const [req] = server.calls('POST', '/new/');
    expect(req!.headers['x-api-key']).toBe('key-1');
    expect(JSON.parse(req!.body.toString())).toEqual({ a: 1 });
  });

  it('drops the credential when a redirect changes host', async () => {
    const other = await startScriptedServer();
    try {
      other.on('GET', '/elsewhere/', { status: 200, json: {} });
      const otherHost = other.url.replace('127.0.0.1', 'localhost');
      server.on('GET', '/x/', { status: 302, headers: { location: `${otherHost}/elsewhere/` } });
      await transport().call({ method: 'GET', path: '/x/' });
      const [req] = other.calls('GET', '/elsewhere/');
      expect(req!.headers['x-api-key']).toBeUndefined();
      expect(req!.headers.authorization).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('reads a file body afresh, from its first byte, for each attempt of a PUT', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'blob.bin');
    const content = crypto.randomBytes(300_000);
    fs.writeFileSync(file, content);
    server.on('PUT', '/upload/', { status: 503 }, { status: 200, json: {} });
    await transport().call({
      method: 'PUT',
      path: '/upload/',
      body: { file, start: 100_000, length: 150_000, fileSize: content.length },
    });
    const bodies = server.calls('PUT', '/upload/').map((r) => r.body);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body.equals(content.subarray(100_000, 250_000))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('followRedirect', () => {
  it('refuses to go from HTTPS to HTTP', () => {
    expect(() =>
      followRedirect(
        { url: 'https://repo.test/a/', method: 'GET', withBody: false },
        302,
        'http://repo.test/b/',
      ),
    ).toThrow(/refused a redirect from HTTPS to HTTP/);
  });

  it('turns a 303 into a GET without a body and keeps the method of a 307', () => {
    const from = { url: 'https://repo.test/a/', method: 'POST' as const, withBody: true };
    expect(followRedirect(from, 303, '/b/')).toEqual({
      url: 'https://repo.test/b/',
      method: 'GET',
      withBody: false,
    });
    expect(followRedirect(from, 307, '/c/')).toEqual({
      url: 'https://repo.test/c/',
      method: 'POST',
      withBody: true,
    });
  });
});
