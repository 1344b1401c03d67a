import { buildPrincipals, type AccessFixture } from '../../helpers/principals.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

interface UpstreamBody {
  slug_perm: string;
  name: string;
  upstream_url: string;
  mode: string;
  priority: number;
  auth_mode: string;
  has_auth_secret: boolean;
  is_active: boolean;
  verify_ssl: boolean;
  updated_at: string;
  extra_header_1: string | null;
  [key: string]: unknown;
}

describe('upstream configuration API', () => {
  let server: TestServer;
  let fx: AccessFixture;
  let base: string;

  beforeAll(async () => {
    server = await startTestServer();
    fx = await buildPrincipals(server);
    base = `/repos/${fx.org}/${fx.repo}/upstream`;
  });
  afterAll(async () => server?.close());

  it('creates, reads, lists, changes and deletes an npm upstream, never returning its secret', async () => {
    const created = await fx.call<UpstreamBody>('admin', 'POST', `${base}/npm/`, {
      name: 'mirror',
      upstream_url: 'http://127.0.0.1:9/registry/',
      mode: 'Cache and Proxy',
      priority: 5,
      auth_mode: 'Token',
      auth_secret: 'upstream-token-123',
      extra_header_1: 'X-Team',
      extra_value_1: 'builds',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'mirror',
      upstream_url: 'http://127.0.0.1:9/registry',
      upstream_type: 'npm',
      mode: 'Cache and Proxy',
      priority: 5,
      auth_mode: 'Token',
      has_auth_secret: true,
      is_active: true,
      verify_ssl: true,
      extra_header_1: 'X-Team',
      extra_value_1: 'builds',
    });
    expect(JSON.stringify(created.body)).not.toContain('upstream-token-123');
    const id = created.body.slug_perm;

    const read = await fx.call<UpstreamBody>('read', 'GET', `${base}/npm/${id}/`);
    expect(read.status).toBe(200);
    expect(read.body.slug_perm).toBe(id);
    const list = await fx.call<UpstreamBody[]>('read', 'GET', `${base}/npm/`);
    expect(list.body.map((u) => u.slug_perm)).toEqual([id]);
    expect(list.headers.get('x-pagination-count')).toBe('1');
    expect((await fx.call<UpstreamBody[]>('read', 'GET', `${base}/python/`)).body).toEqual([]);

    const patched = await fx.call<UpstreamBody>('admin', 'PATCH', `${base}/npm/${id}/`, { is_active: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      is_active: false,
      auth_mode: 'Token',
      has_auth_secret: true,
      priority: 5,
    });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));

    const put = await fx.call<UpstreamBody>('admin', 'PUT', `${base}/npm/${id}/`, {
      name: 'mirror',
      upstream_url: 'http://127.0.0.1:9/registry',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      mode: 'Proxy Only',
      priority: 1,
      auth_mode: 'None',
      has_auth_secret: false,
      is_active: true,
      extra_header_1: null,
    });

    const audit = await fx.call<Array<{ event: string; context: unknown }>>(
      'manager',
      'GET',
      `/audit-log/${fx.org}/`,
    );
    const events = audit.body.filter((e) => e.event.startsWith('upstream.')).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['upstream.created', 'upstream.updated']));
    expect(JSON.stringify(audit.body)).not.toContain('upstream-token-123');

    expect((await fx.call('admin', 'DELETE', `${base}/npm/${id}/`)).status).toBe(204);
    const gone = await fx.call<{ detail: string }>('admin', 'GET', `${base}/npm/${id}/`);
    expect(gone.status).toBe(404);
    expect(gone.body.detail).toContain(id);
  });

  it('lets Read list but only Admin change, and hides private repositories from strangers', async () => {
    const body = { name: 'x', upstream_url: 'http://127.0.0.1:9/x' };
    expect((await fx.call('read', 'POST', `${base}/npm/`, body)).status).toBe(403);
    expect((await fx.call('write', 'POST', `${base}/npm/`, body)).status).toBe(403);
    expect((await fx.call('anonymous', 'GET', `${base}/npm/`)).status).toBe(401);
    expect([403, 404]).toContain((await fx.call('otherManager', 'GET', `${base}/npm/`)).status);
  });

  it.each([
    [
      'an unknown format',
      'maven',
      { name: 'm', upstream_url: 'http://127.0.0.1:9/m' },
      404,
      /npm and python/,
    ],
    ['a missing upstream_url', 'npm', { name: 'm' }, 422, /upstream_url/],
    ['a relative upstream_url', 'npm', { name: 'm', upstream_url: 'registry' }, 422, /not an absolute URL/],
    ['an ftp upstream_url', 'npm', { name: 'm', upstream_url: 'ftp://127.0.0.1/x' }, 422, /http or https/],
    [
      'credentials in the URL',
      'npm',
      { name: 'm', upstream_url: 'http://u:p@127.0.0.1:9/' },
      422,
      /credentials/,
    ],
    [
      'an unknown mode',
      'npm',
      { name: 'm', upstream_url: 'http://127.0.0.1:9/a', mode: 'Cache Only' },
      422,
      /mode/,
    ],
    [
      'a priority of 0',
      'npm',
      { name: 'm', upstream_url: 'http://127.0.0.1:9/b', priority: 0 },
      422,
      /priority/,
    ],
    [
      'a token mode without a token',
      'npm',
      { name: 'm', upstream_url: 'http://127.0.0.1:9/c', auth_mode: 'Token' },
      422,
      /auth_secret/,
    ],
    [
      'a password mode without a user name',
      'python',
      {
        name: 'm',
        upstream_url: 'http://127.0.0.1:9/d',
        auth_mode: 'Username and Password',
        auth_secret: 's',
      },
      422,
      /auth_username/,
    ],
    [
      'a reserved extra header',
      'npm',
      {
        name: 'm',
        upstream_url: 'http://127.0.0.1:9/e',
        extra_header_1: 'Authorization',
        extra_value_1: 'x',
      },
      422,
      /extra_header_1/,
    ],
    [
      'an address the service does not connect to',
      'npm',
      { name: 'm', upstream_url: 'http://169.254.169.254/' },
      422,
      /does not connect/,
    ],
  ])('refuses %s with a clear error', async (_what, format, body, status, message) => {
    const res = await fx.call<{ detail: string }>('admin', 'POST', `${base}/${format}/`, body);
    expect(res.status).toBe(status);
    expect(res.body.detail).toMatch(message);
  });

  it('refuses a second upstream with the same URL for the same format', async () => {
    const body = { name: 'one', upstream_url: 'http://127.0.0.1:9/same' };
    expect((await fx.call('admin', 'POST', `${base}/python/`, body)).status).toBe(201);
    const again = await fx.call<{ detail: string }>('admin', 'POST', `${base}/python/`, {
      ...body,
      name: 'two',
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already configured/);
  });

  it('keeps the firewall mode per repository: hide by default, refuse when set by an Admin', async () => {
    const path = `/repos/${fx.org}/${fx.repo}/upstream-firewall/`;
    expect((await fx.call('read', 'GET', path)).body).toEqual({ mode: 'hide' });
    expect((await fx.call('read', 'PUT', path, { mode: 'refuse' })).status).toBe(403);
    const bad = await fx.call<{ detail: string }>('admin', 'PUT', path, { mode: 'block' });
    expect(bad.status).toBe(422);
    expect((await fx.call('admin', 'PUT', path, { mode: 'refuse' })).body).toEqual({ mode: 'refuse' });
    expect((await fx.call('read', 'GET', path)).body).toEqual({ mode: 'refuse' });
  });
});
