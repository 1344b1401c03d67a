import { startTestServer, type TestServer } from '../helpers/server.js';

describe('service basics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it('answers the status check without credentials, with and without the /v1 prefix', async () => {
    for (const path of ['/status/check/basic/', '/v1/status/check/basic/', '/status/check/basic']) {
      const res = await fetch(server.url + path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { version: string };
      expect(body.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(res.headers.get('x-ratelimit-interval')).toBe('0');
    }
  });

  it('answers an unknown path with a 404 in the error shape', async () => {
    const res = await fetch(server.url + '/no/such/thing/');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      detail: expect.stringContaining('/no/such/thing/'),
      code: 'not_found',
    });
  });

  it('refuses an unknown API key with 401 invalid_token', async () => {
    const res = await fetch(server.url + '/status/check/basic/', { headers: { 'X-Api-Key': 'al_nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: 'Invalid token.', code: 'invalid_token' });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await fetch(server.url + '/openapi.json');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/status/check/basic/']).toBeDefined();
  });
});
