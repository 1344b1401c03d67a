import { databaseFlags } from '../helpers/stores.js';
import type {
  OrgMember,
  Organization,
  RepositoryPrivileges,
  TeamMembers,
  UserSelf,
} from '../../src/api/access.js';
import type { AuditLogEntry } from '../../src/api/audit.js';
import { main } from '../../src/server/commands/index.js';
import type { Io } from '../../src/server/commands/io.js';
import { buildPrincipals, callApi, type AccessFixture } from '../helpers/principals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function captureIo(): Io & { text: () => string } {
  let text = '';
  return { out: (t) => (text += t), err: (t) => (text += t), env: {}, text: () => text };
}

interface Added {
  slug: string;
  slug_perm: string;
  email: string;
  role: string;
  api_key: string;
}

describe('users: organisation members who are people', () => {
  let server: TestServer;
  let f: AccessFixture;
  const users: Record<string, Added> = {};

  async function addUser(email: string, role: string, name?: string): Promise<Added> {
    const io = captureIo();
    const args = [
      'users',
      'add',
      '--data-dir',
      server.dataDir,
      ...databaseFlags(server.ctx.config),
      '--org',
      'acme',
      '--email',
      email,
    ];
    args.push('--role', role, '--json', ...(name ? ['--name', name] : []));
    expect(await main(args, io)).toBe(0);
    return JSON.parse(io.text()) as Added;
  }

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    f = await buildPrincipals(server);
    users.alice = await addUser('Alice@Example.com', 'Owner', 'Alice Liddell');
    users.bob = await addUser('bob@example.com', 'Member');
    users.rita = await addUser('rita@example.com', 'readonly');
  });
  afterAll(async () => server.close());

  const as = <T>(who: string, method: string, path: string, body?: unknown) =>
    callApi<T>(server.url, users[who]!.api_key, method, path, body);

  it('adds a user with a one-time key, and that key says who it is at /user/self/', async () => {
    expect(users.alice).toMatchObject({ slug: 'alice', email: 'alice@example.com', role: 'Owner' });
    expect(users.rita!.role).toBe('ReadOnly');
    const self = await as<UserSelf>('alice', 'GET', '/v1/user/self/');
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({
      authenticated: true,
      slug: 'alice',
      slug_perm: users.alice!.slug_perm,
      name: 'Alice Liddell',
      email: 'alice@example.com',
    });
    expect(self.body.self_url).toMatch(/\/orgs\/acme\/members\/alice\/$/);
  });

  it('prints the key for people once, without --json', async () => {
    const io = captureIo();
    const code = await main(
      [
        'users',
        'add',
        '--data-dir',
        server.dataDir,
        ...databaseFlags(server.ctx.config),
        '--org',
        'acme',
        '--email',
        'carol@example.com',
      ].concat(['--role', 'Manager']),
      io,
    );
    expect(code).toBe(0);
    expect(io.text()).toMatch(/Added carol@example.com to 'acme' as Manager/);
    expect(io.text()).toMatch(/API key \(shown once, keep it secret\): al_/);
  });

  it.each([
    [
      ['--email', 'x@example.com', '--role', 'Boss'],
      2,
      /Invalid --role 'Boss'.*Owner, Manager, Member, ReadOnly/,
    ],
    [['--email', 'x@example.com'], 2, /needs --role/],
    [['--role', 'Member'], 2, /needs --email/],
    [['--email', 'not-an-email', '--role', 'Member'], 1, /Invalid email 'not-an-email'/],
    [['--email', 'BOB@example.com', '--role', 'Member'], 1, /already a member of 'acme'/],
  ])(
    'refuses users add %j with exit %d and a message naming what was wrong',
    async (extra, code, message) => {
      const io = captureIo();
      const args = [
        'users',
        'add',
        '--data-dir',
        server.dataDir,
        ...databaseFlags(server.ctx.config),
        '--org',
        'acme',
        ...extra,
      ];
      expect(await main(args, io)).toBe(code);
      expect(io.text()).toMatch(message);
      expect(io.text()).not.toMatch(/\n\s+at /);
    },
  );

  it('refuses an unknown org by name', async () => {
    const io = captureIo();
    const args = [
      'users',
      'add',
      '--data-dir',
      server.dataDir,
      ...databaseFlags(server.ctx.config),
      '--org',
      'nope',
      '--email',
      'a@b.co',
      '--role',
      'Member',
    ];
    expect(await main(args, io)).toBe(1);
    expect(io.text()).toMatch(/No organisation 'nope'/);
  });

  it('lists members and reads one by slug, slug_perm or email, under / and /v1', async () => {
    const list = await f.call<OrgMember[]>('read', 'GET', '/orgs/acme/members/');
    expect(list.status).toBe(200);
    expect(list.body.map((m) => m.user)).toEqual(expect.arrayContaining(['alice', 'bob', 'rita']));
    expect(list.headers.get('x-pagination-count')).toBe(String(list.body.length));
    for (const ref of ['alice', users.alice!.slug_perm, 'alice@example.com']) {
      const one = await f.call<OrgMember>('read', 'GET', `/v1/orgs/acme/members/${encodeURIComponent(ref)}/`);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({
        email: 'alice@example.com',
        role: 'Owner',
        user: 'alice',
        user_id: 'alice',
        user_name: 'Alice Liddell',
        is_active: true,
        last_login_at: null,
      });
      expect(Date.parse(one.body.joined_at)).not.toBeNaN();
    }
    const missing = await f.call<{ detail: string }>('read', 'GET', '/orgs/acme/members/nobody/');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/nobody/);
    expect((await f.call('otherManager', 'GET', '/orgs/acme/members/alice/')).status).toBe(403);
    expect((await callApi(server.url, null, 'GET', '/orgs/acme/members/')).status).toBe(401);
  });

  it('reads the organisation by slug or slug_perm', async () => {
    const org = await as<Organization>('bob', 'GET', '/orgs/acme/');
    expect(org.status).toBe(200);
    expect(org.body).toMatchObject({ slug: 'acme', name: 'acme' });
    const again = await as<Organization>('bob', 'GET', `/v1/orgs/${org.body.slug_perm}/`);
    expect(again.body).toEqual(org.body);
  });

  it('lets an Owner administer the org and keeps a Member out of it', async () => {
    const made = await as<{ slug: string }>('alice', 'POST', '/orgs/acme/teams/', {
      name: 'Owners made this',
    });
    expect(made.status).toBe(201);
    expect((await as('bob', 'POST', '/orgs/acme/teams/', { name: 'Members may not' })).status).toBe(403);
    expect((await as('bob', 'GET', '/orgs/acme/services/')).status).toBe(403);
    // Users are not service accounts: the services list does not show them.
    const services = await f.call<{ slug: string }[]>('manager', 'GET', '/orgs/acme/services/?page_size=100');
    expect(services.body.map((s) => s.slug)).not.toContain('alice');
  });

  it('puts users in teams with roles (by slug or slug_perm) and reads them back as Users', async () => {
    const team = await f.createTeam();
    const put = await f.call<TeamMembers>('manager', 'PUT', `/orgs/acme/teams/${team}/members`, {
      members: [
        { user: users.alice!.slug_perm, role: 'Manager' },
        { user: 'bob', role: 'Member' },
        { user: f.slugs.read, role: 'Member' },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body.members).toEqual([
      { user: 'alice', role: 'Manager', user_kind: 'User' },
      { user: 'bob', role: 'Member', user_kind: 'User' },
      { user: f.slugs.read, role: 'Member', user_kind: 'Service' },
    ]);
    const wrongKind = await f.call<{ fields: Record<string, string[]> }>(
      'manager',
      'PUT',
      `/orgs/acme/teams/${team}/members`,
      { members: [{ user: 'bob', user_kind: 'Service' }] },
    );
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.body.fields['members[0].user_kind']!.join(' ')).toMatch(/'bob' is a user/);
  });

  it('grants repository privileges to users; a ReadOnly user reads but never writes', async () => {
    const repo = await f.createRepo({ grants: { read: null, write: null, admin: null } });
    const path = `/repos/acme/${repo}/privileges`;
    expect((await as('rita', 'GET', `/repos/acme/${repo}/`)).status).toBe(403);
    const put = await f.call('manager', 'PUT', path, {
      privileges: [
        { privilege: 'Write', user: 'rita' },
        { privilege: 'Admin', user: users.bob!.slug_perm },
        { privilege: 'Read', service: f.slugs.read },
      ],
    });
    expect(put.status).toBe(204);
    const read = await f.call<RepositoryPrivileges>('manager', 'GET', `${path}?page=1&page_size=1000`);
    expect(read.body.privileges).toEqual([
      { privilege: 'Admin', user: 'bob' },
      { privilege: 'Write', user: 'rita' },
      { privilege: 'Read', service: f.slugs.read },
    ]);
    expect((await as('rita', 'GET', `/repos/acme/${repo}/`)).status).toBe(200);
    // Her Write grant is capped at Read: an upload request needs Write.
    const upload = await as('rita', 'POST', `/files/acme/${repo}/`, { filename: 'a.txt' });
    expect(upload.status).toBe(403);
    expect((await as('bob', 'GET', path)).status).toBe(200);
    const unknown = await f.call<{ fields: Record<string, string[]> }>('manager', 'PUT', path, {
      privileges: [{ privilege: 'Read', user: f.slugs.read }],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.fields['privileges[0].user']!.join(' ')).toMatch(/No user/);
  });

  it('audits the user it adds and what users do', async () => {
    const log = await f.call<AuditLogEntry[]>('manager', 'GET', '/audit-log/acme/?page_size=500');
    const created = log.body.find((e) => e.event === 'user.created' && e.object === 'alice');
    expect(created).toMatchObject({ actor_kind: 'system', object_kind: 'user' });
    const byAlice = log.body.find((e) => e.actor === 'alice');
    expect(byAlice).toMatchObject({ event: 'team.created', actor_kind: 'user' });
    expect(JSON.stringify(log.body)).not.toContain(users.alice!.api_key);
  });
});
