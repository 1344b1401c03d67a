import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Package } from '../../src/api/packages.js';
import type { Repository } from '../../src/api/repos.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { importIntoFeeds } from '../../src/server/scan/advisories/import-feed.js';
import { npmAppTarball } from '../fixtures/actions/vulnerable-npm.js';
import { coreMetadata, projectHeaders, wheel } from '../fixtures/packages/archives.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { api, createAccount, createRepo } from '../helpers/upload.js';
import { cloudsmithCliPath, makeCliHome, runCli, type CliResult, type CliSetup } from './cli-runner.js';

/**
 * The official Cloudsmith CLI, unchanged, against the service on loopback: each command prints
 * what it prints against Cloudsmith (no crash, no `None` where a value belongs, no rate-limit
 * sleep, the right exit code on a 4xx), and the service holds what the command said it did.
 * The last line says how many commands passed.
 */

const ADVISORIES = new URL('../fixtures/advisories/npm/all.zip', import.meta.url).pathname;
/** The CLI switches to multipart (`put_parts`) above 100 MiB. */
const BIG_SIZE = 100 * 1024 * 1024 + 10;
/** The package the advisories mark vulnerable (NSWG-ECO-122, Critical, fixed in 3.23.6). */
const VULNERABLE = { name: 'sequelize', version: '3.23.5' };

const results = { passed: 0, total: 0 };

/** One CLI command: a test that counts towards the summary line when it passes. */
function command(name: string, fn: () => Promise<void>, timeout?: number): void {
  results.total += 1;
  it(
    name,
    async () => {
      await fn();
      results.passed += 1;
    },
    timeout,
  );
}

/**
 * What every run must not show: a crash (the CLI turns an unexpected exception into a line
 * starting "Error:", or a traceback with -d), a rate-limit sleep (announced for any interval
 * above --rate-limit-warning 0) or a throttling retry.
 */
function expectNoCrashOrSleep(run: CliResult): void {
  const all = run.stdout + run.stderr;
  expect(all).not.toMatch(/Traceback|^Error: /m);
  expect(all).not.toMatch(/Throttling \(rate limited\)|Request was throttled/);
}

/**
 * A successful run in the pretty format: exit 0, and no `None` printed where a value belongs
 * (`legitimate` cuts out the places where None is the value itself, as an upstream's auth mode).
 */
function expectOk(run: CliResult, legitimate?: RegExp): string {
  expectNoCrashOrSleep(run);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const shown = run.stdout + run.stderr;
  expect(legitimate ? shown.replace(legitimate, '') : shown).not.toMatch(/\bNone\b/);
  return run.stdout;
}

/** A refused run: the exit code is the HTTP status mod 256, and the detail is printed. */
function expectRefused(run: CliResult, status: number, detail: RegExp): void {
  expectNoCrashOrSleep(run);
  expect(run.code).toBe(status % 256);
  expect(run.stdout + run.stderr).toMatch(detail);
}

/** Writes `size` random bytes to `file` as a stream, and returns their sha256. */
async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = crypto.createHash('sha256');
  const out = fs.createWriteStream(file);
  const chunk = 4 * 1024 * 1024;
  for (let written = 0; written < size; written += chunk) {
    const bytes = crypto.randomBytes(Math.min(chunk, size - written));
    hash.update(bytes);
    if (!out.write(bytes)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

describe('the official cloudsmith CLI against the service', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let dir: string;
  let setup: CliSetup;
  /** The service's URL, then with `/v1`: commands alternate between the two forms of --api-host. */
  let hosts: [string, string];

  /** Runs `cloudsmith ...args --api-host HOST --rate-limit-warning 0` (the host by `form`). */
  const cs = (args: string[], form: 0 | 1 = 0, env?: Record<string, string>): Promise<CliResult> =>
    runCli(setup, [...args, '--api-host', hosts[form], '--rate-limit-warning', '0'], env);

  const getPackage = async (repo: string, slug: string) =>
    api<Package>(server, 'GET', `/packages/acme/${repo}/${slug}/`);

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 10_000 }, allowLoopbackIssuers: true });
    issuer = await startDevIssuer();
    hosts = [server.url, `${server.url}/v1`];
    dir = tempDir('airlock-cscli-');
    setup = { bin: cloudsmithCliPath(), home: makeCliHome(dir), apiKey: server.adminKey };
    await importIntoFeeds(server.ctx.db, ADVISORIES, { clock: () => new Date() });
    await createRepo(server, 'dev');
    await createRepo(server, 'prod');
    fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello from the official CLI\n');
    fs.writeFileSync(
      path.join(dir, 'vuln-app-1.0.0.tgz'),
      await npmAppTarball('vuln-app', '1.0.0', VULNERABLE),
    );
    const metadata = coreMetadata(projectHeaders('demo-pkg', '0.1.0', [['License', 'MIT']]));
    fs.writeFileSync(
      path.join(dir, 'demo_pkg-0.1.0-py3-none-any.whl'),
      await wheel('demo_pkg', '0.1.0', metadata),
    );
  });

  afterAll(async () => {
    process.stdout.write(`cloudsmith-cli: ${results.passed}/${results.total} commands pass\n`);
    await server?.close();
    await issuer?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  command(
    'whoami names the service account of the key, with the host given with and without /v1',
    async () => {
      for (const form of [0, 1] as const) {
        const out = expectOk(await cs(['whoami'], form));
        expect(out).toContain('User: acme admin (slug: acme-admin)');
      }
    },
  );

  command('whoami -v shows the key it authenticated with', async () => {
    const out = expectOk(await cs(['whoami', '-v'], 1));
    expect(out).toMatch(/Token Slug: \S+/);
    expect(out).toMatch(/Created: \d{4}-\d\d-\d\dT/);
  });

  command('check service reports the service operational with a SemVer version', async () => {
    const out = expectOk(await cs(['check', 'service']));
    expect(out).toContain('The service status is:   Airlock API is operational.');
    expect(out).toMatch(/The service version is:\s+\d+\.\d+\.\d+ \(up-to-date\)/);
  });

  command('check rates shows the hourly window, not throttled, with a zero interval', async () => {
    const out = expectOk(await cs(['check', 'rates'], 1));
    expect(out).toMatch(/core\s+\|\s+No\s+\|\s+\d+\/10000\s+\|\s+0\.0\s+\|\s+\d{4}-\d\d-\d\d /);
  });

  command('push raw uploads a small file, creates the package and waits for it to synchronise', async () => {
    const out = expectOk(
      await cs([
        'push',
        'raw',
        'acme/dev',
        path.join(dir, 'hello.txt'),
        '--name',
        'hello',
        '--version',
        '1.0.0',
      ]),
    );
    const pkg = (await getPackage('dev', 'hello-1.0.0')).body;
    expect(out).toContain(`Created: acme/dev/hello-1.0.0 (${pkg.slug_perm})`);
    expect(out).toMatch(/Package synchronised successfully/);
    const md5 = crypto
      .createHash('md5')
      .update(fs.readFileSync(path.join(dir, 'hello.txt')))
      .digest('hex');
    expect(pkg).toMatchObject({ format: 'raw', name: 'hello', version: '1.0.0', checksum_md5: md5 });
  });

  command('push npm takes the name and version from the tarball', async () => {
    const out = expectOk(await cs(['push', 'npm', 'acme/dev', path.join(dir, 'vuln-app-1.0.0.tgz')], 1));
    expect(out).toMatch(/Created: acme\/dev\/vuln-app-1\.0\.0 \(\w+\)/);
    expect((await getPackage('dev', 'vuln-app-1.0.0')).body).toMatchObject({
      format: 'npm',
      name: 'vuln-app',
    });
  });

  command('push python takes the name and version from the wheel', async () => {
    const out = expectOk(
      await cs(['push', 'python', 'acme/dev', path.join(dir, 'demo_pkg-0.1.0-py3-none-any.whl')]),
    );
    expect(out).toMatch(/Created: acme\/dev\/demo-pkg-0\.1\.0 \(\w+\)/);
    expect((await getPackage('dev', 'demo-pkg-0.1.0')).body).toMatchObject({
      format: 'python',
      version: '0.1.0',
    });
  });

  command(
    'push raw sends a file over 100 MiB in parts and waits for it to synchronise',
    async () => {
      const file = path.join(dir, 'big.bin');
      const sha256 = await writeRandomFile(file, BIG_SIZE);
      try {
        const out = expectOk(
          await cs(['push', 'raw', 'acme/dev', file, '--name', 'big', '--version', '1.0.0'], 1),
        );
        expect(out).toMatch(/Created: acme\/dev\/big-1\.0\.0 \(\w+\)/);
        expect(out).toMatch(/Package synchronised successfully/);
      } finally {
        fs.rmSync(file, { force: true });
      }
      expect((await getPackage('dev', 'big-1.0.0')).body).toMatchObject({
        size: BIG_SIZE,
        checksum_sha256: sha256,
      });
    },
    180_000,
  );

  command(
    'list repos without an owner lists the repositories of the key, with every column filled',
    async () => {
      const out = expectOk(await cs(['list', 'repos']));
      expect(out).toMatch(/acme\/dev\s+\|\s+Private\s+\|\s+4\s+\|\s+4\s+\|\s+0\s+\|\s+100\.0 MB/);
      expect(out).toMatch(/acme\/prod\s+\|\s+Private\s+\|\s+0\s+\|\s+0\s+\|\s+0\s+\|\s+0 bytes/);
      expect(out).toContain('of 2 repositories visible (page: 1/1, page size: 30)');
    },
  );

  command('list packages shows each package with its status, and the page line', async () => {
    const out = expectOk(await cs(['list', 'packages', 'acme/dev'], 1));
    for (const slug of ['hello-1.0.0', 'vuln-app-1.0.0', 'demo-pkg-0.1.0', 'big-1.0.0']) {
      expect(out).toMatch(new RegExp(`\\|\\s+Completed\\s+\\|\\s+acme/dev/${slug.replace(/\./g, '\\.')}\\b`));
    }
    expect(out).toContain('1-4 (4) of 4 packages visible (page: 1/1, page size: 30)');
  });

  command('list packages -F json prints the packages and the pagination as JSON', async () => {
    const run = await cs(['list', 'packages', 'acme/dev', '-F', 'json']);
    expectNoCrashOrSleep(run);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      data: { slug: string; namespace: string; repository: string; status_str: string }[];
      meta: { pagination: { results_total: number; page_max: number } };
    };
    expect(doc.data.map((p) => p.slug).sort()).toEqual([
      'big-1.0.0',
      'demo-pkg-0.1.0',
      'hello-1.0.0',
      'vuln-app-1.0.0',
    ]);
    expect(
      doc.data.every((p) => p.namespace === 'acme' && p.repository === 'dev' && p.status_str === 'Completed'),
    ).toBe(true);
    expect(doc.meta.pagination).toMatchObject({ results_total: 4, page_max: 1 });
  });

  command('list packages --page-all retrieves every page', async () => {
    const out = expectOk(await cs(['list', 'packages', 'acme/dev', '--page-all'], 1));
    expect(out).toContain('Results: 4 packages retrieved');
  });

  command('list packages -q filters with the search language', async () => {
    const out = expectOk(await cs(['list', 'packages', 'acme/dev', '-q', 'name:hello']));
    expect(out).toMatch(/acme\/dev\/hello-1\.0\.0/);
    expect(out).not.toMatch(/vuln-app|demo-pkg|big-1/);
    expect(out).toContain('1-1 (1) of 1 package visible');
  });

  command('cp copies a package to another repository and waits for the copy', async () => {
    const out = expectOk(await cs(['cp', 'acme/dev/hello-1.0.0', 'prod'], 1));
    const copy = (await getPackage('prod', 'hello-1.0.0')).body;
    expect(out).toContain(`Copied: acme/prod/hello-1.0.0 (${copy.slug_perm})`);
    expect(out).toMatch(/Package synchronised successfully/);
    expect((await getPackage('dev', 'hello-1.0.0')).status).toBe(200);
  });

  command('mv -y moves a package without asking', async () => {
    const out = expectOk(await cs(['mv', 'acme/dev/demo-pkg-0.1.0', 'prod', '-y']));
    expect(out).toMatch(/Moving demo-pkg-0\.1\.0 package from dev to prod \.\.\. OK/);
    expect((await getPackage('prod', 'demo-pkg-0.1.0')).status).toBe(200);
    expect((await getPackage('dev', 'demo-pkg-0.1.0')).status).toBe(404);
  });

  command('tags add, add --immutable, remove, replace, clear and list change and show the tags', async () => {
    const target = 'acme/dev/hello-1.0.0';
    const tagRow = (tag: string, immutable: 'Yes' | 'No') =>
      new RegExp(`^${tag}\\s+\\|\\s+info\\s+\\|\\s+${immutable}`, 'm');
    let out = expectOk(await cs(['tags', 'add', target, 't1,t2'], 1));
    expect(out).toMatch(tagRow('t1', 'No'));
    expect(out).toMatch(tagRow('t2', 'No'));
    out = expectOk(await cs(['tags', 'add', target, 'locked', '--immutable']));
    expect(out).toMatch(tagRow('locked', 'Yes'));
    expect(out).toContain('Results: 3 tags');
    out = expectOk(await cs(['tags', 'remove', target, 't1'], 1));
    expect(out).not.toMatch(/^t1\b/m);
    expect(out).toContain('Results: 2 tags');
    out = expectOk(await cs(['tags', 'replace', target, 't3']));
    expect(out).toMatch(tagRow('t3', 'No'));
    expect(out).not.toMatch(/^t2\b/m);
    out = expectOk(await cs(['tags', 'list', target], 1));
    expect(out).toMatch(tagRow('t3', 'No'));
    const tagged = (await getPackage('dev', 'hello-1.0.0')).body;
    out = expectOk(await cs(['tags', 'clear', target]));
    expect(out).toContain('Results: 0 tags');
    expect(tagged.tags.info).toContain('t3');
    expect((await getPackage('dev', 'hello-1.0.0')).body.tags.info ?? []).toEqual([]);
  });

  command('tags remove of an immutable tag by a Write account exits 403 and keeps the tag', async () => {
    const target = 'acme/dev/vuln-app-1.0.0';
    expectOk(await cs(['tags', 'add', target, 'pinned', '--immutable']));
    const writer = await createAccount(server, 'tag-writer', { dev: 'Write' });
    expectRefused(
      await cs(['tags', 'remove', target, 'pinned'], 1, { CLOUDSMITH_API_KEY: writer }),
      403,
      /Detail: Tag 'pinned' is immutable: only a repository Admin can remove it\./,
    );
    expect((await getPackage('dev', 'vuln-app-1.0.0')).body.tags_immutable.info).toEqual(['pinned']);
  });

  command('quarantine add and remove quarantine and release a package', async () => {
    let out = expectOk(await cs(['quarantine', 'add', 'acme/dev/hello-1.0.0'], 1));
    expect(out).toMatch(/Adding dev\/hello-1\.0\.0 to quarantine\.\.\. OK/);
    expect((await getPackage('dev', 'hello-1.0.0')).body.is_quarantined).toBe(true);
    out = expectOk(await cs(['quarantine', 'remove', 'acme/dev/hello-1.0.0']));
    expect(out).toMatch(/Removing dev\/hello-1\.0\.0 from quarantine\.\.\. OK/);
    expect((await getPackage('dev', 'hello-1.0.0')).body.is_quarantined).toBe(false);
  });

  command('vulnerabilities summarises the findings of the latest scan, and -A lists each one', async () => {
    const scanned = await api<{ security_scan_status: string }>(
      server,
      'GET',
      '/packages/acme/dev/vuln-app-1.0.0/status/?wait=30',
    );
    expect(scanned.body.security_scan_status).toBe('Scan Detected Vulnerabilities');
    let out = expectOk(await cs(['vulnerabilities', 'acme/dev/vuln-app-1.0.0'], 1));
    expect(out).toMatch(/vuln-app:1\.0\.0\s+│\s+1\s+│\s+0\s+│\s+0\s+│\s+0\s+│\s+0\s+│/);
    expect(out).toContain('Total Vulnerabilities: 1');
    out = expectOk(await cs(['vulnerabilities', 'acme/dev/vuln-app-1.0.0', '-A']));
    expect(out).toMatch(/Package: sequelize/);
    expect(out).toMatch(/Critical\s+│\s+NSWG-ECO-122\s+│\s+= 3\.23\.5\s+│\s+>= 3\.23\.6\s+│/);
  });

  command('resync schedules a package again and waits for it', async () => {
    const out = expectOk(await cs(['resync', 'acme/dev/vuln-app-1.0.0'], 1));
    expect(out).toMatch(/Resynchonising the vuln-app-1\.0\.0 package \.\.\. OK/);
    expect(out).toMatch(/Package synchronised successfully/);
  });

  command('delete -y deletes a package without asking', async () => {
    const out = expectOk(await cs(['delete', 'acme/prod/hello-1.0.0', '-y']));
    expect(out).toMatch(/Deleting hello-1\.0\.0 from acme\/prod \.\.\. OK/);
    expect((await getPackage('prod', 'hello-1.0.0')).status).toBe(404);
  });

  command('list entitlements exits 404 saying that Airlock has no entitlement tokens', async () => {
    expectRefused(
      await cs(['list', 'entitlements', 'acme/dev'], 1),
      404,
      /Detail: Airlock has no entitlement tokens/,
    );
  });

  command(
    'whoami and push authenticate by the OIDC exchange in a GitHub Actions job, with no API key',
    async () => {
      const created = await api<{ slug: string }>(server, 'POST', '/orgs/acme/services/', {
        name: 'ci-pusher',
        role: 'Member',
      });
      expect(created.status).toBeLessThan(300);
      const granted = await api(server, 'PATCH', '/repos/acme/dev/privileges', {
        privileges: [{ privilege: 'Write', service: created.body.slug }],
      });
      expect(granted.status).toBe(204);
      const provider = await api(server, 'POST', '/orgs/acme/openid-connect/', {
        name: 'Local CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo' },
        service_accounts: [created.body.slug],
      });
      expect(provider.status).toBe(201);
      const job = {
        CLOUDSMITH_API_KEY: '',
        CLOUDSMITH_ORG: 'acme',
        CLOUDSMITH_SERVICE_SLUG: created.body.slug,
        // The CLI asks for audience 'cloudsmith'; a provider accepts its own audience, 'airlock' by default.
        CLOUDSMITH_OIDC_AUDIENCE: 'airlock',
        GITHUB_ACTIONS: 'true',
        ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsToken,
      };
      expect(expectOk(await cs(['whoami'], 1, job))).toContain(`(slug: ${created.body.slug})`);
      const file = path.join(dir, 'from-ci.txt');
      fs.writeFileSync(file, 'built in CI\n');
      const out = expectOk(
        await cs(['push', 'raw', 'acme/dev', file, '--name', 'from-ci', '--version', '1.0.0'], 0, job),
      );
      expect(out).toMatch(/Created: acme\/dev\/from-ci-1\.0\.0 \(\w+\)/);
      expect((await getPackage('dev', 'from-ci-1.0.0')).body.uploader).toBe(created.body.slug);
    },
  );

  command(
    'upstream npm create, ls, update and delete -y manage an upstream; other formats get a clear 404',
    async () => {
      const config = (name: string, port: number, extra: Record<string, unknown> = {}): string => {
        const file = path.join(dir, `${name}.json`);
        // Nothing listens there: configuring an upstream does not connect to it.
        fs.writeFileSync(file, JSON.stringify({ name, upstream_url: `http://127.0.0.1:${port}`, ...extra }));
        return file;
      };
      // The Auth mode column: the mode is called None.
      const authModeNone = /^(\S+\s+\|\s+\S+\s+\|\s+)None/gm;
      let out = expectOk(
        await cs(['upstream', 'npm', 'create', 'acme/dev', config('npm-mirror', 9)]),
        authModeNone,
      );
      expect(out).toMatch(
        /^npm-mirror\s+\|\s+http:\/\/127\.0\.0\.1:9\s+\|\s+None\s+\|.*\|\s+true\s+\|\s+Proxy Only\s+\|\s+1\s+\|/m,
      );
      const listed = await api<{ slug_perm: string }[]>(server, 'GET', '/repos/acme/dev/upstream/npm/');
      const slugPerm = listed.body[0]!.slug_perm;
      out = expectOk(
        await cs(
          [
            'upstream',
            'npm',
            'update',
            `acme/dev/${slugPerm}`,
            config('npm-cache', 19, { mode: 'Cache and Proxy', priority: 2 }),
          ],
          1,
        ),
        authModeNone,
      );
      expect(out).toMatch(
        /^npm-cache\s+\|\s+http:\/\/127\.0\.0\.1:19\s+\|.*\|\s+Cache and Proxy\s+\|\s+2\s+\|/m,
      );
      out = expectOk(await cs(['upstream', 'npm', 'ls', 'acme/dev']), authModeNone);
      expect(out).toContain(`| ${slugPerm} |`);
      expect(out).toContain('1-1 (1) of 1 upstream (page: 1/1, page size: 30)');
      out = expectOk(await cs(['upstream', 'npm', 'delete', `acme/dev/${slugPerm}`, '-y'], 1));
      expect(out).toMatch(
        new RegExp(`Deleting the ${slugPerm} upstream from the acme/dev repository \\.\\.\\. OK`),
      );
      expect((await api<unknown[]>(server, 'GET', '/repos/acme/dev/upstream/npm/')).body).toEqual([]);
      expectRefused(
        await cs(['upstream', 'deb', 'ls', 'acme/dev']),
        404,
        /Detail: Upstreams are kept for npm and python repositories, not 'deb'\./,
      );
    },
  );

  command(
    'a refused command exits with the HTTP status mod 256 and prints the detail and fields',
    async () => {
      expectRefused(
        await cs(['list', 'packages', 'acme/missing']),
        404,
        /Detail: Repository 'acme\/missing' not found\./,
      );
      expectRefused(
        await cs(['tags', 'add', 'acme/dev/vuln-app-1.0.0', 'bad tag!'], 1),
        422,
        /Tags Field: .*not a tag/,
      );
      expectRefused(
        await cs(['whoami'], 0, { CLOUDSMITH_API_KEY: 'al_not-a-key' }),
        401,
        /Detail: Invalid token\./,
      );
      const json = await cs(['list', 'packages', 'acme/missing', '-F', 'json'], 1);
      expect(json.code).toBe(404 % 256);
      expect(JSON.parse(json.stdout)).toMatchObject({ detail: "Repository 'acme/missing' not found." });
    },
  );

  it('leaves the repositories as the commands said', async () => {
    const repos = await api<Repository[]>(server, 'GET', '/repos/acme/');
    const counts = Object.fromEntries(repos.body.map((r) => [r.slug, r.package_count]));
    expect(counts).toEqual({ dev: 4, prod: 1 });
  });
});
