import type { Service, ServiceWithKey, UserSelf } from '../../src/api/access.js';
import { hashKey } from '../../src/server/domain/access.js';
import { initOrg } from '../../src/server/domain/orgs.js';
import { teamMembershipsOf } from '../../src/server/store/access.js';
import { buildPrincipals, callApi, uniqueName, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

describe('service accounts', () => {
  let server: TestServer;
  let f: AccessFixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await buildPrincipals(server);
  });
  afterAll(async () => server.close());

  const serviceCount = async (): Promise<number> =>
    Number(
      (
        await server.ctx.db
          .selectFrom('services')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const whoIs = (key: string): Promise<{ status: number; body: UserSelf }> =>
    callApi<UserSelf>(server.url, key, 'GET', '/user/self/');
  const create = async (body: Record<string, unknown>): Promise<ServiceWithKey> => {
    const res = await f.call<ServiceWithKey>('manager', 'POST', '/orgs/acme/services/', body);
    expect(res.status).toBe(201);
    return res.body;
  };

  it('creates a service account and shows its working key once, storing only a keyed hash', async () => {
    const created = await create({
      name: 'CI Publisher',
      description: 'pushes from CI',
      role: 'Member',
      teams: [{ slug: f.team, role: 'Manager' }],
    });
    expect(created).toEqual({
      name: 'CI Publisher',
      slug: 'ci-publisher',
      slug_perm: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
      description: 'pushes from CI',
      role: 'Member',
      teams: [{ slug: f.team, role: 'Manager' }],
      key: expect.stringMatching(/^al_[A-Za-z0-9_-]{40}$/),
      key_created_at: expect.stringMatching(/^\d{4}-/),
      key_expires_at: null,
      created_at: expect.stringMatching(/^\d{4}-/),
      created_by: f.slugs.manager,
      self_url: `${server.url}/orgs/acme/services/ci-publisher/`,
    });
    expect((await whoIs(created.key)).body).toMatchObject({ authenticated: true, slug: 'ci-publisher' });

    const row = await server.ctx.db
      .selectFrom('services')
      .selectAll()
      .where('id', '=', created.slug_perm)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashKey(server.ctx.secret, created.key));
    expect(JSON.stringify(row)).not.toContain(created.key);
  });

  it('never shows the key when reading one account or the list, only a redacted form ending in its last 4 characters', async () => {
    const created = await create({ name: uniqueName('quiet') });
    const one = await f.call<Service>('manager', 'GET', `/orgs/acme/services/${created.slug}/`);
    expect(one.status).toBe(200);
    expect(one.body.key).toBe('al_' + '*'.repeat(36) + created.key.slice(-4));
    const { key: _key, ...withoutKey } = created;
    expect(one.body).toEqual({ ...withoutKey, key: one.body.key });
    const list = await f.call<Service[]>('manager', 'GET', '/orgs/acme/services/?page_size=100');
    expect(list.body.map((s) => s.slug)).toContain(created.slug);
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(list.headers.get('x-pagination-count')).toBe(String(list.body.length));
  });

  it('cuts slugs to 30 characters and adds a random suffix when the slug is taken', async () => {
    const long = await create({ name: 'A very long service account name that goes on and on' });
    expect(long.slug).toBe('a-very-long-service-account-na');
    const again = await create({ name: 'A very long service account name that goes on and on' });
    expect(again.slug).toMatch(/^a-very-long-service-acc-[a-z0-9]{6}$/);
    expect(again.slug.length).toBeLessThanOrEqual(30);
    const third = await create({ name: 'CI Publisher' });
    expect(third.slug).toMatch(/^ci-publisher-[a-z0-9]{6}$/);
  });

  it.each([
    ['a missing name', { description: 'x' }, 'name'],
    ['a blank name', { name: '  ' }, 'name'],
    ['a name over 120 characters', { name: 'n'.repeat(121) }, 'name'],
    ['an unknown role', { name: 'ok', role: 'Owner' }, 'role'],
    ['an unknown team', { name: 'ok', teams: [{ slug: 'nobody-home' }] }, 'teams[0].slug'],
    ['a team without a slug', { name: 'ok', teams: [{ role: 'Member' }] }, 'teams.0.slug'],
  ])('refuses %s with 422 naming the field, and creates nothing', async (_what, body, field) => {
    const before = await serviceCount();
    const res = await f.call<ErrorBody>('manager', 'POST', '/orgs/acme/services/', body);
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.fields ?? {})).toEqual([field]);
    expect(await serviceCount()).toBe(before);
  });

  it('refuses a malformed JSON body with 400 and creates nothing', async () => {
    const before = await serviceCount();
    const res = await f.call<ErrorBody>('manager', 'POST', '/orgs/acme/services/', '{name: "unquoted"}');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_json');
    expect(await serviceCount()).toBe(before);
  });

  it('changes name, description, role and teams with PATCH, and refuses bad values without changing anything', async () => {
    const created = await create({ name: uniqueName('changer'), teams: [{ slug: f.team }] });
    const team = await f.createTeam();
    const res = await f.call<Service>('manager', 'PATCH', `/orgs/acme/services/${created.slug}/`, {
      name: 'Changed',
      description: 'new words',
      role: 'Manager',
      teams: [{ slug: team, role: 'Manager' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Changed',
      slug: created.slug,
      description: 'new words',
      role: 'Manager',
      teams: [{ slug: team, role: 'Manager' }],
    });
    expect((await whoIs(created.key)).body.name).toBe('Changed');
    for (const body of [{ role: 'Boss' }, { name: '' }, { teams: [{ slug: 'ghost' }] }]) {
      expect((await f.call('manager', 'PATCH', `/orgs/acme/services/${created.slug}/`, body)).status).toBe(
        422,
      );
    }
    expect((await f.call<Service>('manager', 'GET', `/orgs/acme/services/${created.slug}/`)).body).toEqual(
      res.body,
    );
  });

  it('deletes softly: the key stops working at once and grants and memberships go', async () => {
    const created = await create({ name: uniqueName('doomed'), teams: [{ slug: f.team }] });
    await f.call('manager', 'PATCH', `/repos/acme/${f.repo}/privileges`, {
      privileges: [{ privilege: 'Read', service: created.slug }],
    });
    expect((await callApi(server.url, created.key, 'GET', `/repos/acme/${f.repo}/`)).status).toBe(200);

    expect((await f.call('manager', 'DELETE', `/orgs/acme/services/${created.slug}/`)).status).toBe(204);
    const after = await callApi<ErrorBody>(server.url, created.key, 'GET', '/user/self/');
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('invalid_token');
    expect((await f.call('manager', 'GET', `/orgs/acme/services/${created.slug}/`)).status).toBe(404);
    const grants = await f.call<{ privileges: { service?: string }[] }>(
      'manager',
      'GET',
      `/repos/acme/${f.repo}/privileges`,
    );
    expect(grants.body.privileges.map((p) => p.service)).not.toContain(created.slug);
    expect(await teamMembershipsOf(server.ctx, [created.slug_perm])).toEqual([]);
    const row = await server.ctx.db
      .selectFrom('services')
      .select('deleted_at')
      .where('id', '=', created.slug_perm)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
  });

  it('rotates the key: the old one stops working and the new one is shown once', async () => {
    const created = await create({ name: uniqueName('rotor') });
    const res = await f.call<ServiceWithKey>(
      'manager',
      'POST',
      `/orgs/acme/services/${created.slug}/refresh/`,
    );
    expect(res.status).toBe(200);
    expect(res.body.key).toMatch(/^al_/);
    expect(res.body.key).not.toBe(created.key);
    expect(res.body.slug_perm).toBe(created.slug_perm);
    expect((await whoIs(created.key)).status).toBe(401);
    expect((await whoIs(res.body.key)).body.slug).toBe(created.slug);
    const one = await f.call<Service>('manager', 'GET', `/orgs/acme/services/${created.slug}/`);
    expect(one.body.key).toBe('al_' + '*'.repeat(36) + res.body.key.slice(-4));
    expect(one.body.key_created_at).toBe(res.body.key_created_at);
  });

  it("refuses to delete or demote the org's last Manager", async () => {
    // A fresh org, so that no other test's Managers count.
    const org = uniqueName('solo');
    const init = await initOrg(server.ctx, server.ctx.secret, org, new Date());
    if (!init.created) throw new Error('org existed');
    const as = <T>(method: string, path: string, body?: unknown) =>
      callApi<T>(server.url, init.apiKey, method, path, body);
    const del = await as<ErrorBody>('DELETE', `/orgs/${org}/services/${init.service}/`);
    expect(del.status).toBe(409);
    expect(del.body.detail).toContain('last Manager');
    expect((await as('PATCH', `/orgs/${org}/services/${init.service}/`, { role: 'Member' })).status).toBe(
      409,
    );
    expect((await whoIs(init.apiKey)).status).toBe(200);

    const second = await as<ServiceWithKey>('POST', `/orgs/${org}/services/`, {
      name: 'deputy',
      role: 'Manager',
    });
    expect(second.status).toBe(201);
    expect((await as('PATCH', `/orgs/${org}/services/${init.service}/`, { role: 'Member' })).status).toBe(
      200,
    );
    const last = await callApi<ErrorBody>(
      server.url,
      second.body.key,
      'DELETE',
      `/orgs/${org}/services/deputy/`,
    );
    expect(last.status).toBe(409);
  });

  it('records creation, key rotation and deletion in the audit log', async () => {
    const created = await create({ name: uniqueName('audited') });
    await f.call('manager', 'POST', `/orgs/acme/services/${created.slug}/refresh/`);
    await f.call('manager', 'DELETE', `/orgs/acme/services/${created.slug}/`);
    const rows = await server.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('object_slug_perm', '=', created.slug_perm)
      .execute();
    expect(rows.map((r) => r.event).sort()).toEqual([
      'service.created',
      'service.deleted',
      'service.key_rotated',
    ]);
    for (const r of rows) expect(r.context).not.toContain('al_');
  });
});
