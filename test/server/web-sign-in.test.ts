import { databaseFlags } from '../helpers/stores.js';
import { main } from '../../src/server/main.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

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

  async post(path: string, form: Record<string, string>): Promise<Response> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { ...this.header(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
    });
    this.remember(res);
    return res;
  }

  /** Opens the sign-in page and posts it with these fields. */
  async signIn(fields: Record<string, string>): Promise<Response> {
    const page = await (await this.get('/sign-in')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    return this.post('/sign-in', { _csrf: csrf, ...fields });
  }

  private header(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { Cookie: cookie } : {};
  }
}

describe('signing in to the web interface', () => {
  let server: TestServer;
  let firstKey: string;

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
    server = await startTestServer();
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
});
