import type { RepositoryPrivileges } from '../../src/api/access.js';
import { buildPrincipals, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

describe('repository privileges', () => {
  let server: TestServer;
  let f: AccessFixture;
  beforeAll(async () => {
    server = await startTestServer();
    f = await buildPrincipals(server);
  });
  afterAll(async () => server.close());

  const grantsOf = async (repo: string): Promise<RepositoryPrivileges['privileges']> => {
    const res = await f.call<RepositoryPrivileges>('manager', 'GET', `/repos/acme/${repo}/privileges`);
    expect(res.status).toBe(200);
    return res.body.privileges;
  };

  it('lists service grants, then team grants, each by slug', async () => {
    const expected = [
      { privilege: 'Admin', service: f.slugs.admin },
      { privilege: 'Read', service: f.slugs.read },
    ].sort((a, b) => a.service.localeCompare(b.service));
    expect(await grantsOf(f.repo)).toEqual([...expected, { privilege: 'Write', team: f.team }]);
    const slashed = await f.call<RepositoryPrivileges>(
      'admin',
      'GET',
      `/v1/repos/acme/${f.repo}/privileges/`,
    );
    expect(slashed.status).toBe(200);
  });

  it('replaces every grant with PUT, so a caller left out loses its access', async () => {
    const repo = await f.createRepo();
    expect((await f.call('read', 'GET', `/repos/acme/${repo}/`)).status).toBe(200);
    const res = await f.call('admin', 'PUT', `/repos/acme/${repo}/privileges`, {
      privileges: [{ privilege: 'Admin', service: f.slugs.admin }],
    });
    expect(res.status).toBe(204);
    expect(await grantsOf(repo)).toEqual([{ privilege: 'Admin', service: f.slugs.admin }]);
    expect((await f.call('read', 'GET', `/repos/acme/${repo}/`)).status).toBe(403);
    expect((await f.call('write', 'GET', `/repos/acme/${repo}/`)).status).toBe(403);
  });

  it('adds and changes grants with PATCH and leaves the others alone', async () => {
    const repo = await f.createRepo();
    const res = await f.call('admin', 'PATCH', `/repos/acme/${repo}/privileges`, {
      privileges: [{ privilege: 'Admin', service: f.slugs.read }],
    });
    expect(res.status).toBe(204);
    expect(await grantsOf(repo)).toEqual(
      expect.arrayContaining([
        { privilege: 'Admin', service: f.slugs.read },
        { privilege: 'Admin', service: f.slugs.admin },
        { privilege: 'Write', team: f.team },
      ]),
    );
    expect((await f.call('read', 'PATCH', `/repos/acme/${repo}/`, { description: 'mine now' })).status).toBe(
      200,
    );
  });

  it('gives access through a team to every member of the team', async () => {
    const repo = await f.createRepo();
    const team = await f.createTeam();
    await f.call('manager', 'PATCH', `/repos/acme/${repo}/privileges`, {
      privileges: [{ privilege: 'Read', team }],
    });
    const service = await f.call<{ slug: string; key: string }>('manager', 'POST', '/orgs/acme/services/', {
      name: 'team reader',
    });
    const get = (): Promise<Response> =>
      fetch(`${server.url}/repos/acme/${repo}/`, { headers: { 'X-Api-Key': service.body.key } });
    expect((await get()).status).toBe(403);
    await f.call('manager', 'POST', `/orgs/acme/teams/${team}/members`, {
      members: [{ user: service.body.slug }],
    });
    expect((await get()).status).toBe(200);
  });

  it.each([
    [
      'an unknown user',
      { privileges: [{ privilege: 'Read', user: 'alice' }] },
      'privileges[0].user',
      /No user 'alice'/,
    ],
    [
      'an unknown service account',
      { privileges: [{ privilege: 'Read', service: 'ghost' }] },
      'privileges[0].service',
      /ghost/,
    ],
    [
      'an unknown team',
      { privileges: [{ privilege: 'Write', team: 'phantoms' }] },
      'privileges[0].team',
      /phantoms/,
    ],
    [
      'a service account of another org',
      { privileges: [{ privilege: 'Read', service: '{otherManager}' }] },
      'privileges[0].service',
      /No service account/,
    ],
    [
      'an entry naming both a service and a team',
      { privileges: [{ privilege: 'Read', service: '{read}', team: '{team}' }] },
      'privileges[0]',
      /exactly one/,
    ],
    ['an entry naming neither', { privileges: [{ privilege: 'Read' }] }, 'privileges[0]', /exactly one/],
    [
      'the same service account twice',
      {
        privileges: [
          { privilege: 'Read', service: '{read}' },
          { privilege: 'Write', service: '{read}' },
        ],
      },
      'privileges[1].service',
      /already listed/,
    ],
    [
      'an unknown privilege',
      { privileges: [{ privilege: 'Owner', service: '{read}' }] },
      'privileges.0.privilege',
      /./,
    ],
    ['a missing privileges list', {}, 'privileges', /required/],
  ])('refuses %s with 422 naming it, and changes nothing', async (_what, template, field, message) => {
    const body = JSON.parse(
      JSON.stringify(template)
        .replaceAll('{otherManager}', f.slugs.otherManager)
        .replaceAll('{read}', f.slugs.read)
        .replaceAll('{team}', f.team),
    ) as unknown;
    const before = await grantsOf(f.repo);
    for (const method of ['PUT', 'PATCH']) {
      const res = await f.call<ErrorBody>('manager', method, `/repos/acme/${f.repo}/privileges`, body);
      expect(res.status).toBe(422);
      expect(res.body.fields?.[field]?.join(' ')).toMatch(message);
    }
    expect(await grantsOf(f.repo)).toEqual(before);
  });

  it('names every unknown slug in one error', async () => {
    const res = await f.call<ErrorBody>('manager', 'PUT', `/repos/acme/${f.repo}/privileges`, {
      privileges: [
        { privilege: 'Read', service: 'ghost-one' },
        { privilege: 'Read', team: 'ghost-two' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toContain("service account 'ghost-one'");
    expect(res.body.detail).toContain("team 'ghost-two'");
  });

  it('refuses a malformed JSON body with 400 and changes nothing', async () => {
    const before = await grantsOf(f.repo);
    const res = await f.call<ErrorBody>(
      'manager',
      'PUT',
      `/repos/acme/${f.repo}/privileges`,
      '{"privileges": [',
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_json');
    expect(await grantsOf(f.repo)).toEqual(before);
  });

  it('records the new grants in the audit log', async () => {
    const repo = await f.createRepo();
    await f.call('admin', 'PATCH', `/repos/acme/${repo}/privileges`, {
      privileges: [{ privilege: 'Write', service: f.slugs.read }],
    });
    const event = await server.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('object', '=', repo)
      .where('event', '=', 'repository.privileges.updated')
      .executeTakeFirstOrThrow();
    expect(event.actor).toBe(f.slugs.admin);
    expect(JSON.parse(event.context)).toEqual({
      privileges: [{ privilege: 'Write', service: f.slugs.read }],
    });
  });
});
