import type { Team, TeamMembers } from '../../src/api/access.js';
import { buildPrincipals, uniqueName, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

describe('teams', () => {
  let server: TestServer;
  let f: AccessFixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await buildPrincipals(server);
  });
  afterAll(async () => server.close());

  const teamCount = async (): Promise<number> =>
    Number(
      (
        await server.ctx.db
          .selectFrom('teams')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const membersOf = async (team: string): Promise<TeamMembers['members']> =>
    (await f.call<TeamMembers>('manager', 'GET', `/orgs/acme/teams/${team}/members`)).body.members;

  it('creates a Visible team whose slug comes from its name, and lets org members read it', async () => {
    const res = await f.call<Team>('manager', 'POST', '/orgs/acme/teams/', {
      name: 'Release Engineers',
      description: 'ship it',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      name: 'Release Engineers',
      slug: 'release-engineers',
      slug_perm: expect.stringMatching(/^[A-Za-z0-9]{12}$/),
      description: 'ship it',
      visibility: 'Visible',
      created_at: expect.stringMatching(/^\d{4}-/),
    });
    const one = await f.call<Team>('read', 'GET', '/v1/orgs/acme/teams/release-engineers/');
    expect(one.body).toEqual(res.body);
    const list = await f.call<Team[]>('read', 'GET', '/orgs/acme/teams/?page_size=1');
    expect(list.body).toHaveLength(1);
    expect(Number(list.headers.get('x-pagination-count'))).toBeGreaterThanOrEqual(2);
    const all = await f.call<Team[]>('read', 'GET', '/orgs/acme/teams/?page_size=100');
    expect(all.body.map((t) => t.slug)).toContain('release-engineers');
  });

  it('shows a Hidden team only to Managers and to its own members', async () => {
    const created = await f.call<Team>('manager', 'POST', '/orgs/acme/teams/', {
      name: 'Incident Response',
      slug: 'ir',
      visibility: 'Hidden',
    });
    expect(created.status).toBe(201);
    const listed = async (who: 'read' | 'manager'): Promise<string[]> =>
      (await f.call<Team[]>(who, 'GET', '/orgs/acme/teams/?page_size=100')).body.map((t) => t.slug);
    expect(await listed('manager')).toContain('ir');
    expect(await listed('read')).not.toContain('ir');
    expect((await f.call('read', 'GET', '/orgs/acme/teams/ir/')).status).toBe(404);
    await f.call('manager', 'POST', '/orgs/acme/teams/ir/members', { members: [{ user: f.slugs.read }] });
    expect(await listed('read')).toContain('ir');
    expect((await f.call('read', 'GET', '/orgs/acme/teams/ir/')).status).toBe(200);
  });

  it.each([
    ['a missing name', { slug: 'x' }, 'name'],
    ['a blank name', { name: ' ' }, 'name'],
    ['a bad slug', { name: 'ok', slug: 'no spaces' }, 'slug'],
    ['an unknown visibility', { name: 'ok', visibility: 'Secret' }, 'visibility'],
  ])('refuses %s with 422 naming the field, and creates nothing', async (_what, body, field) => {
    const before = await teamCount();
    const res = await f.call<ErrorBody>('manager', 'POST', '/orgs/acme/teams/', body);
    expect(res.status).toBe(422);
    expect(Object.keys(res.body.fields ?? {})).toEqual([field]);
    expect(await teamCount()).toBe(before);
  });

  it('refuses malformed JSON with 400 and a taken slug with 409, creating nothing', async () => {
    const before = await teamCount();
    expect((await f.call<ErrorBody>('manager', 'POST', '/orgs/acme/teams/', '{"name":')).status).toBe(400);
    const taken = await f.call<ErrorBody>('manager', 'POST', '/orgs/acme/teams/', {
      name: 'x',
      slug: f.team,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toContain(f.team);
    expect(await teamCount()).toBe(before);
  });

  it('changes a team with PATCH and refuses a bad or taken slug without changing anything', async () => {
    const team = await f.createTeam();
    const res = await f.call<Team>('manager', 'PATCH', `/orgs/acme/teams/${team}/`, {
      name: 'Renamed',
      slug: `${team}-2`,
      visibility: 'Hidden',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', slug: `${team}-2`, visibility: 'Hidden' });
    expect((await f.call('manager', 'GET', `/orgs/acme/teams/${team}/`)).status).toBe(404);
    const bad = await f.call<ErrorBody>('manager', 'PATCH', `/orgs/acme/teams/${team}-2/`, { slug: '-x' });
    expect(bad.status).toBe(422);
    const taken = await f.call<ErrorBody>('manager', 'PATCH', `/orgs/acme/teams/${team}-2/`, {
      slug: f.team,
    });
    expect(taken.status).toBe(409);
    expect((await f.call<Team>('manager', 'GET', `/orgs/acme/teams/${team}-2/`)).body).toEqual(res.body);
  });

  it('deletes a team together with its memberships and the access it granted', async () => {
    const team = await f.createTeam();
    const repo = await f.createRepo();
    await f.call('manager', 'PUT', `/repos/acme/${repo}/privileges`, {
      privileges: [{ privilege: 'Read', team }],
    });
    await f.call('manager', 'PUT', `/orgs/acme/teams/${team}/members`, { members: [{ user: f.slugs.read }] });
    expect((await f.call('read', 'GET', `/repos/acme/${repo}/`)).status).toBe(200);
    expect((await f.call('manager', 'DELETE', `/orgs/acme/teams/${team}/`)).status).toBe(204);
    expect((await f.call('manager', 'GET', `/orgs/acme/teams/${team}/`)).status).toBe(404);
    expect((await f.call('read', 'GET', `/repos/acme/${repo}/`)).status).toBe(403);
    const grants = await f.call<{ privileges: unknown[] }>(
      'manager',
      'GET',
      `/repos/acme/${repo}/privileges`,
    );
    expect(grants.body.privileges).toEqual([]);
  });

  it('adds members and changes roles with POST, and replaces them all with PUT', async () => {
    const team = await f.createTeam();
    const added = await f.call<TeamMembers>('manager', 'POST', `/orgs/acme/teams/${team}/members`, {
      members: [{ user: f.slugs.read, role: 'Manager', user_kind: 'Service' }, { user: f.slugs.write }],
    });
    expect(added.status).toBe(201);
    const expected = [
      { user: f.slugs.read, role: 'Manager', user_kind: 'Service' },
      { user: f.slugs.write, role: 'Member', user_kind: 'Service' },
    ].sort((a, b) => a.user.localeCompare(b.user));
    expect(added.body.members).toEqual(expected);
    const changed = await f.call<TeamMembers>('manager', 'POST', `/orgs/acme/teams/${team}/members`, {
      members: [{ user: f.slugs.read, role: 'Member' }],
    });
    expect(changed.body.members).toContainEqual({ user: f.slugs.read, role: 'Member', user_kind: 'Service' });
    expect(changed.body.members).toHaveLength(2);

    const replaced = await f.call<TeamMembers>('manager', 'PUT', `/orgs/acme/teams/${team}/members/`, {
      members: [{ user: f.slugs.admin }],
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.members).toEqual([{ user: f.slugs.admin, role: 'Member', user_kind: 'Service' }]);
    expect(await membersOf(team)).toEqual(replaced.body.members);
    const cleared = await f.call<TeamMembers>('manager', 'PUT', `/orgs/acme/teams/${team}/members`, {
      members: [],
    });
    expect(cleared.body.members).toEqual([]);
  });

  it.each([
    [
      'a service account called a User',
      { members: [{ user: '{read}', user_kind: 'User' }] },
      'members[0].user_kind',
      /is a service account/,
    ],
    ['an unknown service account', { members: [{ user: 'ghost' }] }, 'members[0].user', /ghost/],
    [
      'a repeated member',
      { members: [{ user: '{read}' }, { user: '{read}' }] },
      'members[1].user',
      /already listed/,
    ],
    ['an unknown role', { members: [{ user: '{read}', role: 'Owner' }] }, 'members.0.role', /./],
    ['a missing members list', { users: [] }, 'members', /required/],
  ])('refuses %s with 422 naming it, and changes no membership', async (_what, template, field, message) => {
    const team = await f.createTeam();
    await f.call('manager', 'PUT', `/orgs/acme/teams/${team}/members`, {
      members: [{ user: f.slugs.admin }],
    });
    const body = JSON.parse(JSON.stringify(template).replaceAll('{read}', f.slugs.read)) as unknown;
    for (const method of ['POST', 'PUT']) {
      const res = await f.call<ErrorBody>('manager', method, `/orgs/acme/teams/${team}/members`, body);
      expect(res.status).toBe(422);
      expect(res.body.fields?.[field]?.join(' ')).toMatch(message);
    }
    expect(await membersOf(team)).toEqual([{ user: f.slugs.admin, role: 'Member', user_kind: 'Service' }]);
  });

  it('records team changes in the audit log', async () => {
    const name = uniqueName('Audited');
    const team = (await f.call<Team>('manager', 'POST', '/orgs/acme/teams/', { name })).body.slug;
    await f.call('manager', 'POST', `/orgs/acme/teams/${team}/members`, {
      members: [{ user: f.slugs.read }],
    });
    await f.call('manager', 'DELETE', `/orgs/acme/teams/${team}/`);
    const rows = await server.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('object', '=', team)
      .execute();
    expect(rows.map((r) => r.event).sort()).toEqual(['team.created', 'team.deleted', 'team.members.added']);
    const added = rows.find((r) => r.event === 'team.members.added')!;
    expect(JSON.parse(added.context)).toEqual({ members: [{ user: f.slugs.read, role: 'Member' }] });
  });
});
