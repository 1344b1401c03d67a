import type { Repository } from '../../src/api/repos.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, createAccount, createRepo, uploadPackage } from '../helpers/upload.js';

/**
 * What the official CLI needed and did not get at first, asked at the HTTP level so that a
 * regression shows without the CLI (test/cloudsmith-cli/ runs the CLI itself).
 */
describe('endpoints the official CLI needs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 1000 } }, { background: false });
    await createRepo(server, 'dev');
    await createRepo(server, 'prod');
  });
  afterAll(async () => server.close());

  interface RateCheck {
    limit: number;
    remaining: number;
    reset: number;
    reset_iso_8601: string;
    interval: number;
    throttled: boolean;
  }

  describe('GET /rates/limits/ (cloudsmith check rates)', () => {
    it("reports the caller's hourly window as the X-RateLimit-* headers do, at / and /v1", async () => {
      for (const prefix of ['', '/v1']) {
        const res = await api<{ resources: Record<string, RateCheck> }>(
          server,
          'GET',
          `${prefix}/rates/limits/`,
        );
        expect(res.status).toBe(200);
        const core = res.body.resources.core!;
        expect(core).toEqual({
          limit: 1000,
          remaining: Number(res.headers.get('x-ratelimit-remaining')),
          reset: Number(res.headers.get('x-ratelimit-reset')),
          reset_iso_8601: new Date(core.reset * 1000).toISOString(),
          interval: 0,
          throttled: false,
        });
        expect(core.remaining).toBeLessThan(1000);
        expect(res.headers.get('x-ratelimit-interval')).toBe('0');
      }
    });

    it('counts each request, so the remaining figure falls from one call to the next', async () => {
      const first = await api<{ resources: Record<string, RateCheck> }>(server, 'GET', '/rates/limits/');
      const second = await api<{ resources: Record<string, RateCheck> }>(server, 'GET', '/rates/limits/');
      expect(second.body.resources.core!.remaining).toBe(first.body.resources.core!.remaining - 1);
    });

    it('answers an anonymous caller with the window of its address', async () => {
      const res = await api<{ resources: Record<string, RateCheck> }>(
        server,
        'GET',
        '/rates/limits/',
        undefined,
        null,
      );
      expect(res.status).toBe(200);
      expect(res.body.resources.core).toMatchObject({ limit: 1000, throttled: false, interval: 0 });
    });

    it('lists no resource when the service does not throttle', async () => {
      const open = await startTestServer({ limits: { requestsPerHour: 0 } }, { background: false });
      try {
        const res = await api(open, 'GET', '/rates/limits/');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ resources: {} });
      } finally {
        await open.close();
      }
    });
  });

  describe('GET /repos/ (cloudsmith list repos without an owner)', () => {
    it('lists the repositories the caller may read in its own organisation, paged', async () => {
      const res = await api<Repository[]>(server, 'GET', '/repos/?page_size=1');
      expect(res.status).toBe(200);
      expect(res.body.map((r) => r.slug)).toEqual(['dev']);
      expect(res.headers.get('x-pagination-count')).toBe('2');
      expect(res.headers.get('x-pagination-pagetotal')).toBe('2');
      const v1 = await api<Repository[]>(server, 'GET', '/v1/repos/');
      expect(v1.body.map((r) => `${r.namespace}/${r.slug}`)).toEqual(['acme/dev', 'acme/prod']);
    });

    it('shows a member only the repositories it has a privilege on', async () => {
      const key = await createAccount(server, 'prod-reader', { prod: 'Read' });
      const res = await api<Repository[]>(server, 'GET', '/repos/', undefined, key);
      expect(res.body.map((r) => r.slug)).toEqual(['prod']);
    });

    it('refuses an anonymous caller with 401', async () => {
      const res = await api(server, 'GET', '/repos/', undefined, null);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'not_authenticated' });
    });
  });

  it('gives each repository its groups, downloads and size for people (the list repos columns)', async () => {
    await createRepo(server, 'sized');
    for (const [name, version, size] of [
      ['tool', '1.0.0', 1000],
      ['tool', '1.0.1', 1100],
      ['other', '1.0.0', 2000],
    ] as const) {
      const res = await uploadPackage(
        server,
        'sized',
        'raw',
        Buffer.alloc(size, 7),
        `${name}-${version}.bin`,
        {
          name,
          version,
        },
      );
      expect(res.status).toBe(201);
    }
    const res = await api<Repository>(server, 'GET', '/repos/acme/sized/');
    expect(res.body).toMatchObject({
      package_count: 3,
      package_group_count: 2,
      num_downloads: 0,
      size: 4100,
      size_str: '4.0 KB',
    });
  });

  it("answers a package's scan list with a 404 naming the scan status until its first scan is done", async () => {
    // No background work here, so the scan never runs: the CLI's `vulnerabilities` would read [][0].
    const created = await uploadPackage<{ slug: string }>(
      server,
      'dev',
      'raw',
      Buffer.from('x'),
      'pending.bin',
      {
        name: 'pending',
        version: '1.0.0',
      },
    );
    expect(created.status).toBe(201);
    const res = await api(server, 'GET', `/vulnerabilities/acme/dev/${created.body.slug}/`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      detail:
        "Package 'pending-1.0.0' has no scan results yet (security scan status: Awaiting Security Scan).",
      code: 'not_found',
    });
  });

  describe('/entitlements/ (cloudsmith list entitlements)', () => {
    it.each([
      ['GET', '/entitlements/acme/dev/'],
      ['GET', '/v1/entitlements/acme/dev/'],
      ['POST', '/entitlements/acme/dev/'],
      ['DELETE', '/entitlements/acme/dev/abc123/'],
    ])('answers %s %s with a 404 that says there are no entitlement tokens', async (method, path) => {
      const res = await api(server, method, path, method === 'POST' ? { name: 'x' } : undefined);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        detail: expect.stringMatching(/no entitlement tokens.*service account.*Read privilege/),
        code: 'not_found',
      });
    });
  });
});
