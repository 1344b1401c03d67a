import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Package } from '../../src/api/packages.js';
import { main } from '../../src/server/main.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { makeTar } from '../fixtures/packages/archives.js';
import { createAccount, createRepo, uploadPackage } from '../helpers/upload.js';
import { addService, call, startOidcServer, type OidcTestServer } from '../server/oidc/oidc-helpers.js';
import { startReceiver } from '../helpers/receivers.js';
import { databaseFlags } from '../helpers/stores.js';
import { launchBrowser, screenshot, seriousViolations, watchConsole } from './browser.js';

const FIXTURES = new URL('../fixtures/advisories', import.meta.url).pathname;
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
// A file name may hold no slash, so its script tag is left open: raw, it would swallow the page.
const HOSTILE_FILE = '<script>window.__pwned=3<img src=x onerror=window.__pwned=4>.txt';
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=5">notes';

/** An npm application whose lock file pins sequelize 3.23.5 (NSWG-ECO-122 in the bundled subset). */
function vulnerableApp(description: string): Promise<Buffer> {
  const dependencies = { sequelize: '3.23.5' };
  const manifest = { name: 'orm-app', version: '1.0.0', description, dependencies };
  const lock = {
    name: 'orm-app',
    version: '1.0.0',
    lockfileVersion: 3,
    packages: {
      '': { name: 'orm-app', version: '1.0.0', dependencies },
      'node_modules/sequelize': { version: '3.23.5' },
    },
  };
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify(manifest) },
    { name: 'package/package-lock.json', content: JSON.stringify(lock) },
  ]);
}

describe('the web interface in a real browser', () => {
  let server: OidcTestServer;
  let issuer: DevIssuer;
  let browser: Browser;
  let readerKey: string;
  let pkg: Package;
  let hostile: Package;
  const consoleErrors: string[] = [];
  const screenshots = new Set<string>();

  beforeAll(async () => {
    server = await startOidcServer();
    issuer = await startDevIssuer();
    const quiet = { out: () => {}, err: () => {}, env: {} };
    if ((await main(['advisories', 'import', '--data-dir', server.dataDir, FIXTURES], quiet)) !== 0)
      throw new Error('importing the advisory subset failed');
    const person = ['users', 'add', '--data-dir', server.dataDir, ...databaseFlags(server.ctx.config)];
    person.push('--org', 'acme', '--email', 'ada@example.com');
    if ((await main([...person, '--role', 'Member'], quiet)) !== 0) throw new Error('adding a user failed');
    await createRepo(server, 'dev');
    await createRepo(server, 'prod');
    // The package is pushed by CI through an OIDC exchange, so it carries a build identity.
    await addService(server, 'ci-bot', 'Manager');
    const provider = await call(server, 'POST', '/orgs/acme/openid-connect/', {
      key: server.adminKey,
      body: {
        name: 'CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { workflow: 'release' },
        service_accounts: ['ci-bot'],
      },
    });
    if (provider.status !== 201) throw new Error(JSON.stringify(provider.body));
    const exchanged = await call(server, 'POST', '/openid/acme/', {
      body: {
        oidc_token: await issuer.sign({ run_id: '4242', workflow: 'release' }),
        service_slug: 'ci-bot',
      },
    });
    const token = (exchanged.body as { token: string }).token;
    const up = await uploadPackage<Package>(
      server,
      'dev',
      'npm',
      await vulnerableApp(HOSTILE),
      'orm-app-1.0.0.tgz',
      {},
      token,
    );
    if (up.status !== 201) throw new Error(JSON.stringify(up.body));
    pkg = up.body;
    await server.services.scan.waitForScan(pkg.slug_perm, 60);
    const quarantined = await call(server, 'POST', `/packages/acme/dev/${pkg.slug_perm}/quarantine/`, {
      key: server.adminKey,
      body: {},
    });
    if (quarantined.status !== 200) throw new Error(JSON.stringify(quarantined.body));
    // A package whose file name, name and description are all markup, quarantined so that it
    // shows on the overview's failing list too.
    const raw = await uploadPackage<Package>(server, 'dev', 'raw', Buffer.from('notes'), HOSTILE_FILE, {
      name: HOSTILE_NAME,
      version: '1.0.0',
      description: HOSTILE,
    });
    if (raw.status !== 201) throw new Error(JSON.stringify(raw.body));
    hostile = raw.body;
    const held = await call(server, 'POST', `/packages/acme/dev/${hostile.slug_perm}/quarantine/`, {
      key: server.adminKey,
      body: {},
    });
    if (held.status !== 200) throw new Error(JSON.stringify(held.body));
    readerKey = await createAccount(server, 'auditor', { dev: 'Read' });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await issuer?.close();
    await server?.close();
  });

  async function signIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    watchConsole(page, consoleErrors);
    await page.goto(`${server.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await look(page, 'sign-in');
    await page.fill('input[name="api_key"]', key);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/ui\/acme\/$/);
    return { context, page };
  }

  /**
   * What every page must hold: no serious or critical axe violation, nothing injected ran, and
   * every form that changes something carries the session's form token; saves its screenshot.
   */
  async function look(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    screenshots.add(name);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    const tokens = (await page.evaluate(
      `[...document.querySelectorAll('form[method="post"]')].map((f) => f.querySelector('input[name="_csrf"]')?.value ?? '')`,
    )) as string[];
    for (const token of tokens) expect(token.length).toBeGreaterThanOrEqual(32);
  }

  /** The text of the page's `main`, as a reader sees it. */
  async function mainText(page: Page): Promise<string> {
    return (await page.textContent('main')) ?? '';
  }

  it('links every count of the overview to a package list of exactly that many packages', async () => {
    const { context, page } = await signIn(server.adminKey);
    await look(page, 'overview');
    // Every count but the advisory data's (which counts advisories, not packages) is a link.
    const bare = (await page.evaluate(
      `[...document.querySelectorAll('.card')].filter((c) => !c.textContent.includes('Advisory data'))
        .flatMap((c) => [...c.querySelectorAll('dd, .big')]).filter((d) => !d.querySelector('a')).length`,
    )) as number;
    expect(bare).toBe(0);
    const links = (await page.evaluate(
      `[...document.querySelectorAll('.cards a')].map((a) => [a.textContent.trim(), a.getAttribute('href')])`,
    )) as [string, string][];
    expect(links.length).toBe(18);
    for (const [count, href] of links) {
      const list = await (await page.request.get(`${server.url}${href}`)).text();
      expect([href, /(\d+)\s+packages?[\s.]/.exec(list)?.[1]]).toEqual([href, count]);
    }
    // The failing list names the hostile package as text, and runs nothing.
    const text = await mainText(page);
    expect(text).toContain(HOSTILE_FILE);
    expect(text).toContain(HOSTILE_NAME);

    await page.locator('.card', { hasText: 'Policies' }).locator('dt:text-is("Fail") + dd a').click();
    await page.waitForURL(/\/ui\/acme\/-\/packages\/\?q=/);
    await look(page, 'org-packages');
    const listed = await mainText(page);
    expect(listed).toMatch(/2\s+packages\s+match/);
    expect(listed).toContain(HOSTILE_FILE);
    expect(listed).toContain(HOSTILE_NAME);
    await context.close();
  });

  it('renders a package whose file name, name and description are markup as text on its page', async () => {
    const { context, page } = await signIn(server.adminKey);
    await page.goto(`${server.url}/ui/acme/dev/${hostile.slug_perm}/`);
    await look(page, 'package-hostile');
    const text = await mainText(page);
    expect(text).toContain(HOSTILE_FILE);
    expect(text).toContain(HOSTILE_NAME);
    expect(text).toContain(HOSTILE);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    await context.close();
  });

  it('follows the failed count to a quarantined package, releases it and finds the audit entry', async () => {
    const { context, page } = await signIn(server.adminKey);
    expect(await page.textContent('h1')).toContain('Security scanning');

    // The repository row's "Fail" count links to the packages behind it.
    const row = page.locator('tr', { has: page.locator('a', { hasText: 'dev' }) });
    await row.locator('td').nth(4).locator('a').click();
    await page.waitForURL(/\/ui\/acme\/dev\/\?q=/);
    await look(page, 'packages');
    expect(await mainText(page)).toContain(HOSTILE_FILE);
    await page.click(`a[href$="/${pkg.slug_perm}/"]`);
    await page.waitForURL(new RegExp(`/ui/acme/dev/${pkg.slug_perm}/$`));
    await look(page, 'package');

    const text = (await page.textContent('main')) ?? '';
    expect(text).toContain('This package is quarantined');
    expect(text).toContain('sequelize');
    expect(text).toMatch(/NSWG-ECO-122|GHSA-/);
    expect(text).toContain('4242'); // the build identity: the CI run that pushed it
    // The hostile description renders as text and runs nothing.
    expect(text).toContain(HOSTILE);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Release from quarantine")');
    await page.waitForURL(/done=/);
    expect(await page.textContent('[role="status"]')).toContain('Released from quarantine');
    expect(await page.textContent('main')).not.toContain('This package is quarantined');

    await page.click('a:has-text("Audit log")');
    await page.waitForURL(/\/audit-log\/$/);
    await look(page, 'audit-log');
    expect(await mainText(page)).toContain(HOSTILE_NAME);
    const released = page.locator('tr', { has: page.locator('code', { hasText: 'package.released' }) });
    expect(await released.count()).toBeGreaterThan(0);
    expect(await released.first().textContent()).toContain('acme-admin');
    await context.close();
  });

  it('shows a Read user no action, and refuses its post with 403', async () => {
    const { context, page } = await signIn(readerKey);
    await page.goto(`${server.url}/ui/acme/dev/${pkg.slug_perm}/`);
    await look(page, 'package-read-only');
    expect(await page.locator('section[aria-label="Actions"]').count()).toBe(0);
    expect(await page.locator('form[method="post"] button').allTextContents()).toEqual(['Sign out']);

    // Posting anyway, with the session's own form token and confirmation: the domain refuses.
    const csrf = await page.getAttribute('input[name="_csrf"]', 'value');
    const res = await page.request.post(`${server.url}/ui/acme/dev/${pkg.slug_perm}/quarantine`, {
      form: { _csrf: csrf!, confirmed: '1' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('Error 403');
    await context.close();
  });

  it('refuses a change without the form token, and sends a Content-Security-Policy without inline scripts', async () => {
    const { context, page } = await signIn(server.adminKey);
    const res = await page.request.post(`${server.url}/ui/acme/dev/${pkg.slug_perm}/quarantine`, {
      form: { confirmed: '1' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    const view = await page.request.get(`${server.url}/ui/acme/dev/${pkg.slug_perm}/`);
    const csp = view.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const cookie = (await context.cookies()).find((c) => c.name === 'airlock_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.click('button:has-text("Sign out")');
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${server.url}/ui/acme/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await context.close();
  });

  it('lists the org settings, and pings a webhook whose delivery shows in its log', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(204).end());
    try {
      const hook = await call(server, 'POST', '/webhooks/acme/dev/', {
        key: server.adminKey,
        body: { target_url: receiver.url, events: ['package.created'] },
      });
      expect(hook.status).toBe(201);
      await receiver.firstRequest(); // the ping every new webhook gets
      const { context, page } = await signIn(server.adminKey);
      await page.click('a:has-text("Settings")');
      await page.waitForURL(/\/settings\/$/);
      await look(page, 'settings');
      const main = (await page.textContent('main')) ?? '';
      expect(main).toContain('ci-bot');
      expect(main).toContain('ada@example.com');
      expect(await page.locator('button:has-text("New one-time key")').count()).toBe(1);
      expect(main).toContain(issuer.issuer);

      await page.goto(`${server.url}/ui/acme/dev/`);
      await page.click('a:has-text("Webhooks")');
      const before = receiver.requests.length;
      page.once('dialog', (dialog) => void dialog.accept());
      await page.click('button:has-text("Ping")');
      await page.waitForURL(/done=/);
      for (let i = 0; i < 100 && receiver.requests.length <= before; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(receiver.requests.length).toBe(before + 1);
      await page.reload();
      await look(page, 'webhooks');
      expect(await page.locator('td', { hasText: 'delivered' }).count()).toBe(2);
      await context.close();
    } finally {
      await receiver.close();
    }
  });

  it('shows the repositories', async () => {
    const { context, page } = await signIn(server.adminKey);
    await page.click('nav a:has-text("Repositories")');
    await page.waitForURL(/\/repositories\/$/);
    await look(page, 'repositories');
    expect(await mainText(page)).toContain('prod');
    await context.close();
  });

  it('logged no console error on any page, and saved a screenshot of each', () => {
    expect(consoleErrors).toEqual([]);
    expect([...screenshots].sort()).toEqual(
      [
        'audit-log',
        'org-packages',
        'overview',
        'package',
        'package-hostile',
        'package-read-only',
        'packages',
        'repositories',
        'settings',
        'sign-in',
        'webhooks',
      ].sort(),
    );
  });
});
