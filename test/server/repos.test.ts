import type { Repository } from '../../src/api/repos.js';
import { buildPrincipals, callApi, uniqueName, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

describe('repositories', () => {
  let server: TestServer;
  let f: AccessFixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await buildPrincipals(server);
  });
  afterAll(async () => server.close());

  const counts = async (): Promise<{ repos: number; events: number }> => {
    const db = server.ctx.db;
    const repos = await db
      .selectFrom('repos')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const events = await db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return { repos: Number(repos.n), events: Number(events.n) };
  };

  it('creates a private repository whose slug comes from its name, with the Cloudsmith fields', async () => {
    const res = await f.call<Repository>('manager', 'POST', '/repos/acme/', {
      name: 'Build Output 42',
      description: 'nightly builds',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      name: 'Build Output 42',
      slug: 'build-output-42',
      slug_perm: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
      description: 'nightly builds',
      namespace: 'acme',
      namespace_url: `${server.url}/namespaces/acme/`,
      repository_type: 2,
      repository_type_str: 'Private',
      is_public: false,
      is_private: true,
      package_count: 0,
      package_group_count: 0,
      num_quarantined_packages: 0,
      num_downloads: 0,
      size: 0,
      size_str: '0 bytes',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      created_by: f.slugs.manager,
      self_url: `${server.url}/repos/acme/build-output-42/`,
      privileges_url: `${server.url}/repos/acme/build-output-42/privileges`,
      promotion_rules: {},
      broadcast_state: 'Off',
      tag_pre_releases_as_latest: false,
    });
    const read = await f.call<Repository>('manager', 'GET', '/v1/repos/acme/build-output-42');
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('takes an explicit slug and a Public type, which anonymous callers may read', async () => {
    const res = await f.call<Repository>('manager', 'POST', '/v1/repos/acme/', {
      name: 'Open Stuff',
      slug: 'open.stuff_1',
      repository_type_str: 'Public',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug: 'open.stuff_1', repository_type: 1, is_public: true });
    const anon = await f.call<Repository>('anonymous', 'GET', '/repos/acme/open.stuff_1/');
    expect(anon.status).toBe(200);
    expect(anon.body.slug_perm).toBe(res.body.slug_perm);
    const stranger = await f.call<Repository>('otherManager', 'GET', '/repos/acme/open.stuff_1/');
    expect(stranger.status).toBe(200);
  });

  it.each([
    ['a missing name', { description: 'x' }, 'name'],
    ['a blank name', { name: '   ' }, 'name'],
    ['a name that is not text', { name: { first: 'x' } }, 'name'],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'name'],
    ['a slug with bad characters', { name: 'ok', slug: 'Bad Slug!' }, 'slug'],
    ['a slug ending in a dash', { name: 'ok', slug: 'trailing-' }, 'slug'],
    ['a slug over 50 characters', { name: 'ok', slug: 's'.repeat(51) }, 'slug'],
    ['an unknown repository_type_str', { name: 'ok', repository_type_str: 'Secret' }, 'repository_type_str'],
  ])('refuses %s with 422 naming the field, and creates nothing', async (_what, body, field) => {
    const before = await counts();
    const res = await f.call<ErrorBody>('manager', 'POST', '/repos/acme/', body);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(Object.keys(res.body.fields ?? {})).toContain(field);
    expect(res.body.detail).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('refuses a malformed JSON body with 400 and creates nothing', async () => {
    const before = await counts();
    const res = await f.call<ErrorBody>('manager', 'POST', '/repos/acme/', '{"name": "half');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'invalid_json',
      detail: expect.stringContaining('Malformed JSON'),
    });
    expect(await counts()).toEqual(before);
  });

  it('answers 409 when the slug is taken, whether given or derived, and frees it on delete', async () => {
    const name = uniqueName('Twin');
    const first = await f.call<Repository>('manager', 'POST', '/repos/acme/', { name });
    expect(first.status).toBe(201);
    const before = await counts();
    const derived = await f.call<ErrorBody>('manager', 'POST', '/repos/acme/', { name });
    expect(derived.status).toBe(409);
    expect(derived.body).toMatchObject({
      code: 'conflict',
      fields: { slug: [expect.stringContaining(first.body.slug)] },
    });
    const given = await f.call<ErrorBody>('manager', 'POST', '/repos/acme/', {
      name: 'other',
      slug: first.body.slug,
    });
    expect(given.status).toBe(409);
    expect(await counts()).toEqual(before);

    expect((await f.call('manager', 'DELETE', `/repos/acme/${first.body.slug}/`)).status).toBe(204);
    const again = await f.call<Repository>('manager', 'POST', '/repos/acme/', { name });
    expect(again.status).toBe(201);
    expect(again.body.slug_perm).not.toBe(first.body.slug_perm);
  });

  it('names the missing org or repository in a 404, but answers anonymous callers 401 first', async () => {
    const noOrg = await f.call<ErrorBody>('manager', 'GET', '/repos/nowhere/dev/');
    expect(noOrg.status).toBe(404);
    expect(noOrg.body.detail).toContain("'nowhere'");
    const noRepo = await f.call<ErrorBody>('read', 'GET', '/repos/acme/nothing-here/');
    expect(noRepo.status).toBe(404);
    expect(noRepo.body.detail).toContain("'acme/nothing-here'");
    const anon = await f.call<ErrorBody>('anonymous', 'GET', '/repos/acme/nothing-here/');
    expect(anon.status).toBe(401);
    const anonPrivate = await f.call<ErrorBody>('anonymous', 'GET', `/repos/acme/${f.repo}/`);
    expect(anonPrivate.body.code).toBe('not_authenticated');
    const noOrgList = await f.call<ErrorBody>('manager', 'GET', '/repos/nowhere/');
    expect(noOrgList.status).toBe(404);
  });

  it('lists only the repositories each caller may read', async () => {
    const hidden = await f.createRepo();
    await f.call('manager', 'PUT', `/repos/acme/${hidden}/privileges`, { privileges: [] });
    const publicRepo = await f.createRepo({ public: true });
    const slugs = async (who: Parameters<AccessFixture['call']>[0]): Promise<string[]> =>
      (await f.call<Repository[]>(who, 'GET', '/repos/acme/?page_size=1000')).body.map((r) => r.slug);

    const all = await slugs('manager');
    expect(all).toEqual(expect.arrayContaining([f.repo, hidden, publicRepo]));
    expect([...all].sort()).toEqual(all);
    const reader = await slugs('read');
    expect(reader).toEqual(expect.arrayContaining([f.repo, publicRepo]));
    expect(reader).not.toContain(hidden);
    const anon = await slugs('anonymous');
    expect(anon).toContain(publicRepo);
    expect(anon).not.toContain(f.repo);
    expect(await slugs('otherManager')).toEqual(anon);
  });

  it('pages the list with Link and X-Pagination headers', async () => {
    const all = await f.call<Repository[]>('manager', 'GET', '/repos/acme/?page_size=1000');
    const total = all.body.length;
    expect(total).toBeGreaterThanOrEqual(3);
    const first = await f.call<Repository[]>('manager', 'GET', '/repos/acme/?page=1&page_size=2');
    expect(first.body).toHaveLength(2);
    expect(first.headers.get('x-pagination-count')).toBe(String(total));
    expect(first.headers.get('x-pagination-page')).toBe('1');
    expect(first.headers.get('x-pagination-pagesize')).toBe('2');
    expect(first.headers.get('x-pagination-pagetotal')).toBe(String(Math.ceil(total / 2)));
    expect(first.headers.get('link')).toContain('rel="next"');
    const second = await f.call<Repository[]>('manager', 'GET', '/repos/acme/?page=2&page_size=2');
    expect(second.body.map((r) => r.slug)).toEqual(all.body.slice(2, 4).map((r) => r.slug));
    const bad = await f.call<ErrorBody>('manager', 'GET', '/repos/acme/?page=0');
    expect(bad.status).toBe(422);
    expect(bad.body.fields).toHaveProperty('page');
  });

  it('lets a repo Admin change the name, slug, description and type', async () => {
    const slug = await f.createRepo();
    const res = await f.call<Repository>('admin', 'PATCH', `/repos/acme/${slug}/`, {
      name: 'Renamed',
      slug: `${slug}-new`,
      description: 'now public',
      repository_type_str: 'Public',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Renamed',
      slug: `${slug}-new`,
      description: 'now public',
      repository_type_str: 'Public',
      self_url: `${server.url}/repos/acme/${slug}-new/`,
    });
    expect((await f.call('manager', 'GET', `/repos/acme/${slug}/`)).status).toBe(404);
    expect((await f.call('anonymous', 'GET', `/repos/acme/${slug}-new/`)).status).toBe(200);
  });

  it('refuses a bad or conflicting change and leaves the repository as it was', async () => {
    const slug = await f.createRepo();
    const before = (await f.call<Repository>('manager', 'GET', `/repos/acme/${slug}/`)).body;
    const cases: [unknown, number, string][] = [
      [{ slug: 'UPPER' }, 422, 'slug'],
      [{ repository_type_str: 'Internal' }, 422, 'repository_type_str'],
      [{ name: '' }, 422, 'name'],
      [{ slug: f.repo }, 409, 'slug'],
    ];
    for (const [body, status, field] of cases) {
      const res = await f.call<ErrorBody>('admin', 'PATCH', `/repos/acme/${slug}/`, body);
      expect({ status: res.status, fields: Object.keys(res.body.fields ?? {}) }).toEqual({
        status,
        fields: [field],
      });
    }
    const malformed = await f.call<ErrorBody>('admin', 'PATCH', `/repos/acme/${slug}/`, '{');
    expect(malformed.status).toBe(400);
    expect((await f.call<Repository>('manager', 'GET', `/repos/acme/${slug}/`)).body).toEqual(before);
  });

  it('soft-deletes: the repository disappears from the API but its row stays with deleted_at', async () => {
    const slug = await f.createRepo();
    const del = await f.call('admin', 'DELETE', `/repos/acme/${slug}/`);
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    expect((await f.call('manager', 'GET', `/repos/acme/${slug}/`)).status).toBe(404);
    expect((await f.call('manager', 'DELETE', `/repos/acme/${slug}/`)).status).toBe(404);
    const list = await f.call<Repository[]>('manager', 'GET', '/repos/acme/?page_size=1000');
    expect(list.body.map((r) => r.slug)).not.toContain(slug);
    const row = await server.ctx.db
      .selectFrom('repos')
      .selectAll()
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).toEqual(expect.stringMatching(/^\d{4}-/));
  });

  it('records who created, changed and deleted a repository in the audit log', async () => {
    const slug = await f.createRepo();
    await f.call('admin', 'PATCH', `/repos/acme/${slug}/`, { description: 'audited' });
    await f.call('admin', 'DELETE', `/repos/acme/${slug}/`);
    const rows = await server.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('object', '=', slug)
      .orderBy('event_at')
      .execute();
    const events = rows.map((r) => [r.event, r.actor]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['repository.created', f.slugs.manager],
        ['repository.updated', f.slugs.admin],
        ['repository.deleted', f.slugs.admin],
      ]),
    );
    const update = rows.find((r) => r.event === 'repository.updated')!;
    expect(JSON.parse(update.context)).toEqual({ changes: { description: { from: '', to: 'audited' } } });
  });

  it('answers an anonymous caller 401 before it reads the body', async () => {
    for (const body of ['{"name": ', { name: 42, slug: '!!' }]) {
      const res = await f.call<ErrorBody>('anonymous', 'POST', '/repos/acme/', body);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'not_authenticated' });
    }
  });

  it('describes every repository endpoint in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/repos/{owner}/'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/repos/{owner}/{repo}/'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
    expect(Object.keys(doc.paths['/repos/{owner}/{repo}/privileges'] ?? {}).sort()).toEqual([
      'get',
      'patch',
      'put',
    ]);
  });

  it('answers an unknown API key with 401 invalid_token rather than treating it as anonymous', async () => {
    const res = await callApi<ErrorBody>(server.url, 'al_not-a-key', 'GET', '/repos/acme/');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});
