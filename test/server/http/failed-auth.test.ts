import type { CredentialResolver } from '../../../src/server/domain/context.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

describe('a client that keeps sending bad credentials', () => {
  const LIMIT = 3;
  let server: TestServer;
  let offsetMs = 0;
  let lookups = 0;

  const self = (key?: string) =>
    fetch(`${server.url}/user/self/`, { headers: key ? { 'X-Api-Key': key } : {} });

  beforeAll(async () => {
    server = await startTestServer(
      { limits: { failedAuthPerHour: LIMIT } },
      { clock: () => new Date(Date.now() + offsetMs) },
    );
    // Count credential lookups, to see that a throttled address costs none.
    const resolvers = server.ctx.resolvers.splice(0);
    for (const resolve of resolvers) {
      const counted: CredentialResolver = (ctx, credential) => {
        lookups++;
        return resolve(ctx, credential);
      };
      server.ctx.resolvers.push(counted);
    }
  });
  afterAll(async () => server.close());

  it('is throttled with 429, Retry-After and X-RateLimit-* once over the limit, without any key lookup', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const res = await self(`al_guess${i}`);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'invalid_token' });
    }
    const before = lookups;
    const throttled = await self('al_guess-next');
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toMatchObject({
      code: 'throttled',
      detail: expect.stringMatching(/invalid credentials/),
    });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
    expect(throttled.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(throttled.headers.get('x-ratelimit-interval'))).toBeGreaterThan(0);
    expect(Number(throttled.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);

    // Even a valid key from that address waits: telling it from a guess would take the lookup.
    expect((await self(server.adminKey)).status).toBe(429);
    expect(lookups).toBe(before);
    // Requests without credentials are not what is throttled.
    expect((await self()).status).toBe(200);
  });

  it('gets its hour back when the window ends', async () => {
    offsetMs += 3600_000;
    expect((await self(server.adminKey)).status).toBe(200);
    expect((await self('al_guess-again')).status).toBe(401);
  });
});

describe('failed authentication throttling', () => {
  it('counts nothing when turned off with 0', async () => {
    const server = await startTestServer({ limits: { failedAuthPerHour: 0 } });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${server.url}/user/self/`, { headers: { 'X-Api-Key': `al_guess${i}` } });
        expect(res.status).toBe(401);
      }
    } finally {
      await server.close();
    }
  });
});
