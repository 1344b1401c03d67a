import { databaseFlags } from '../helpers/stores.js';
import { main } from '../../src/server/main.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { Package } from '../../src/api/packages.js';
import { api, createRepo, uploadPackage } from '../helpers/upload.js';

/** A browser's view of the service: form posts, cookies kept, redirects not followed. */
class Client {
  private cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (/Max-Age=0/.test(line)) this.cookies.delete(name!);
      else this.cookies.set(name!, value!);
    }
  }

  async get(path: string): Promise<Response> {
    const res = await fetch(this.base + path, { headers: this.header(), redirect: 'manual' });
    this.remember(res);
    return res;
  }

  async post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { ...this.header(), ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  /** Opens the sign-in page and posts it with these fields (and headers). */
  async signIn(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const page = await (await this.get('/sign-in')).text();
    return this.post('/sign-in', { _csrf: csrfOf(page), ...fields }, headers);
  }

  /** Posts a confirmed change with the form token of the page at `from`. */
  async change(from: string, path: string, form: Record<string, string> = {}): Promise<Response> {
    const page = await (await this.get(from)).text();
    return this.post(path, { _csrf: csrfOf(page), confirmed: '1', ...form });
  }

  private header(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { Cookie: cookie } : {};
  }
}

/** The form token a page carries. */
function csrfOf(page: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
}

describe('signing in to the web interface', () => {
  let server: TestServer;
  let firstKey: string;
  // The service's clock, moved on to outlive a session.
  let now = Date.now();

  const run = async (args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await main([...args, '--data-dir', server.dataDir, ...databaseFlags(server.ctx.config)], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: {},
      stdin: async () => stdin,
    });
    return { code, out, err };
  };

  beforeAll(async () => {
    // Behind a proxy that says the scheme: the sessions' cookies are Secure when it says https.
    server = await startTestServer({ trustProxy: true }, { clock: () => new Date(now) });
    const added = await run([
      'users',
      'add',
      '--org',
      'acme',
      '--email',
      'Ada@example.com',
      '--role',
      'Member',
      '--json',
    ]);
    expect(added.code).toBe(0);
    firstKey = (JSON.parse(added.out) as { api_key: string }).api_key;
  });

  async function addUser(email: string, role = 'Member'): Promise<string> {
    const added = await run(['users', 'add', '--org', 'acme', '--email', email, '--role', role, '--json']);
    expect(added.code).toBe(0);
    return (JSON.parse(added.out) as { api_key: string }).api_key;
  }
  afterAll(async () => server.close());

  it('sets the password on the first sign-in with the one-time key, then signs in with email and password', async () => {
    const first = new Client(server.url);
    const short = await first.signIn({ email: 'ada@example.com', password: 'short', api_key: firstKey });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain('at least 12 characters');
    const set = await first.signIn({
      email: 'ada@example.com',
      password: 'correct horse battery',
      api_key: firstKey,
    });
    expect(set.status).toBe(303);
    expect((await first.get('/ui/acme/')).status).toBe(200);

    const later = new Client(server.url);
    expect((await later.signIn({ email: 'ADA@example.com', password: 'correct horse battery' })).status).toBe(
      303,
    );
    const page = await later.get('/ui/acme/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Signed in as');
  });

  it("refuses a wrong password and a key that is not the email's, naming neither which part was wrong", async () => {
    const client = new Client(server.url);
    const wrong = await client.signIn({ email: 'ada@example.com', password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong email or password.');
    const unknown = await client.signIn({ email: 'nobody@example.com', password: 'not the password at all' });
    expect(unknown.status).toBe(401);
    const otherKey = await client.signIn({
      email: 'ada@example.com',
      password: 'another long password',
      api_key: server.adminKey,
    });
    expect(otherKey.status).toBe(401);
    expect((await client.get('/ui/acme/')).status).toBe(303);
  });

  it('users passwd sets a password from stdin, and a changed password ends the sessions of the old one', async () => {
    const before = new Client(server.url);
    expect(
      (await before.signIn({ email: 'ada@example.com', password: 'correct horse battery' })).status,
    ).toBe(303);
    const changed = await run(
      ['users', 'passwd', '--org', 'acme', '--email', 'ada@example.com'],
      'a brand new passphrase\n',
    );
    expect(changed).toMatchObject({ code: 0 });
    expect(changed.out).toContain('Set the web password of ada@example.com');
    expect((await before.get('/ui/acme/')).status).toBe(303); // back to sign-in

    const after = new Client(server.url);
    expect((await after.signIn({ email: 'ada@example.com', password: 'correct horse battery' })).status).toBe(
      401,
    );
    expect(
      (await after.signIn({ email: 'ada@example.com', password: 'a brand new passphrase' })).status,
    ).toBe(303);

    const missing = await run(
      ['users', 'passwd', '--org', 'acme', '--email', 'nobody@example.com'],
      'a long enough password\n',
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("User 'nobody@example.com' in 'acme'");
  });

  it('refuses a sign-in form that was not served by the service', async () => {
    const client = new Client(server.url);
    const forged = await client.post('/sign-in', { _csrf: 'made-up', api_key: server.adminKey });
    expect(forged.status).toBe(403);
    expect((await client.get('/ui/acme/')).status).toBe(303);
  });

  it('shows an org Manager the users, and lets it give one a new one-time key that replaces the old key and password', async () => {
    const graceKey = await addUser('grace@example.com');
    const grace = new Client(server.url);
    const set = await grace.signIn({
      email: 'grace@example.com',
      password: 'first long password',
      api_key: graceKey,
    });
    expect(set.status).toBe(303);

    const admin = new Client(server.url);
    expect((await admin.signIn({ api_key: server.adminKey })).status).toBe(303);
    const settings = await (await admin.get('/ui/acme/-/settings/')).text();
    expect(settings).toContain('grace@example.com');
    expect(settings).toContain('New one-time key');
    expect(settings).toMatch(/<h2>Users<\/h2>/);

    const issued = await admin.change('/ui/acme/-/settings/', '/ui/acme/-/users/grace/key');
    expect(issued.status).toBe(200);
    const newKey = /<code class="secret">([^<]+)<\/code>/.exec(await issued.text())![1]!;
    expect(newKey).not.toBe(graceKey);
    // The password session ends with the password; the old key no longer signs in.
    expect((await grace.get('/ui/acme/')).status).toBe(303);
    expect((await new Client(server.url).signIn({ api_key: graceKey })).status).toBe(401);
    const again = new Client(server.url);
    expect((await again.signIn({ email: 'grace@example.com', password: 'first long password' })).status).toBe(
      401,
    );
    expect(
      (await again.signIn({ email: 'grace@example.com', password: 'second long password', api_key: newKey }))
        .status,
    ).toBe(303);
    expect((await again.get('/ui/acme/')).status).toBe(200);

    const audit = await (await admin.get('/ui/acme/-/audit-log/?q=event:user.key_issued')).text();
    expect(audit).toContain('user.key_issued');
  });

  it('lets an org Manager disable a user, whose sessions and key stop at once', async () => {
    const key = await addUser('linus@example.com');
    const linus = new Client(server.url);
    expect((await linus.signIn({ api_key: key })).status).toBe(303);
    const admin = new Client(server.url);
    await admin.signIn({ api_key: server.adminKey });
    const disabled = await admin.change('/ui/acme/-/settings/', '/ui/acme/-/users/linus/disable');
    expect(disabled.status).toBe(303);
    expect(disabled.headers.get('location')).toContain('done=');
    expect((await linus.get('/ui/acme/')).status).toBe(303);
    expect(await (await admin.get('/ui/acme/-/settings/')).text()).not.toContain('linus@example.com');
    const res = await fetch(`${server.url}/user/self/`, { headers: { 'X-Api-Key': key } });
    expect(res.status).toBe(401);
  });

  it("refuses a member the users' actions, and a change without the form token", async () => {
    const key = await addUser('mae@example.com');
    await addUser('target@example.com');
    const mae = new Client(server.url);
    await mae.signIn({ api_key: key });
    const settings = await (await mae.get('/ui/acme/-/settings/')).text();
    expect(settings).not.toContain('New one-time key');
    expect(settings).not.toContain('target@example.com');
    const refused = await mae.change('/ui/acme/', '/ui/acme/-/users/target/disable');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Error 403');

    const admin = new Client(server.url);
    await admin.signIn({ api_key: server.adminKey });
    const forged = await admin.post('/ui/acme/-/users/target/disable', { confirmed: '1' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('reload the page');
    const unknown = await admin.change('/ui/acme/-/settings/', '/ui/acme/-/users/nobody/key');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('User &#39;nobody&#39; in &#39;acme&#39; not found.');
  });

  it('asks for confirmation on a page when the form was sent without it', async () => {
    const admin = new Client(server.url);
    await admin.signIn({ api_key: server.adminKey });
    const page = await (await admin.get('/ui/acme/-/settings/')).text();
    const asked = await admin.post('/ui/acme/-/users/target/disable', { _csrf: csrfOf(page), confirmed: '' });
    expect(asked.status).toBe(200);
    const text = await asked.text();
    expect(text).toContain('Disable this user?');
    expect(text).toContain('href="/ui/acme/-/settings/"'); // Cancel goes back to the settings
    expect(await (await admin.get('/ui/acme/-/settings/')).text()).toContain('target@example.com');
  });

  it('tags, copies, rescans and moves a package from its page, each confirmed and said done', async () => {
    for (const repo of ['web-dev', 'web-qa', 'web-prod']) await createRepo(server, repo);
    const up = await uploadPackage<Package>(
      server,
      'web-dev',
      'raw',
      Buffer.from('bytes'),
      'tool-1.0.0.bin',
      {
        name: 'tool',
        version: '1.0.0',
      },
    );
    expect(up.status).toBe(201);
    const id = up.body.slug_perm;
    const admin = new Client(server.url);
    await admin.signIn({ api_key: server.adminKey });
    const at = `/ui/acme/web-dev/${id}/`;
    const page = await (await admin.get(at)).text();
    for (const label of ['Add tag', 'Copy', 'Move', 'Rescan', 'Quarantine'])
      expect(page).toContain(`>${label}<`);

    const done = async (res: Response) => {
      expect(res.status).toBe(303);
      return decodeURIComponent(res.headers.get('location')!);
    };
    expect(await done(await admin.change(at, `${at}tag`, { tag: 'qa-ok' }))).toContain('Tagged qa-ok.');
    expect(await done(await admin.change(at, `${at}copy`, { destination: 'web-qa' }))).toContain(
      'Copied to web-qa.',
    );
    expect(await done(await admin.change(at, `${at}rescan`))).toContain('A new scan is queued.');
    const moved = await done(await admin.change(at, `${at}move`, { destination: 'web-prod' }));
    expect(moved).toBe(`/ui/acme/web-prod/${id}/?done=Moved to web-prod.`);

    const inProd = await api<Package>(server, 'GET', `/packages/acme/web-prod/${id}/`);
    expect(inProd.status).toBe(200);
    expect(Object.values(inProd.body.tags ?? {}).flat()).toContain('qa-ok');
    const copies = await api<Package[]>(server, 'GET', '/packages/acme/web-qa/');
    expect(copies.body.map((p) => p.name)).toEqual(['tool']);
    const trail = await (await admin.get(`/ui/acme/web-prod/${id}/`)).text();
    for (const event of ['package.tags_updated', 'package.copied', 'package.moved'])
      expect(trail).toContain(event);

    // A bad destination is a page naming it, not a failure.
    const nowhere = await admin.change(`/ui/acme/web-prod/${id}/`, `/ui/acme/web-prod/${id}/copy`, {
      destination: 'nowhere',
    });
    expect(nowhere.status).toBe(404);
    expect(await nowhere.text()).toContain('nowhere');
  });

  it('marks the session cookie Secure when the service is reached over https', async () => {
    const overHttps = await new Client(server.url).signIn(
      { api_key: server.adminKey },
      { 'X-Forwarded-Proto': 'https' },
    );
    const secure = overHttps.headers.getSetCookie().find((c) => c.startsWith('airlock_session='));
    expect(secure).toMatch(/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/);
    const overHttp = await new Client(server.url).signIn({ api_key: server.adminKey });
    const plain = overHttp.headers.getSetCookie().find((c) => c.startsWith('airlock_session='));
    expect(plain).toContain('HttpOnly');
    expect(plain).not.toContain('Secure');
  });

  it('ends a session when it expires, 12 hours after sign-in', async () => {
    const client = new Client(server.url);
    await client.signIn({ api_key: server.adminKey });
    now += 11 * 3600_000;
    expect((await client.get('/ui/acme/')).status).toBe(200);
    now += 2 * 3600_000;
    const expired = await client.get('/ui/acme/');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('/sign-in');
  });
});
