import type { SecurityOverview } from '../../src/api/security-overview.js';
import type { Package } from '../../src/api/packages.js';
import { main } from '../../src/server/main.js';
import { makeTar } from '../fixtures/packages/archives.js';
import type { TestServer } from '../helpers/server.js';
import { api, BACKENDS, createAccount, createRepo, startServerOn, uploadPackage } from '../helpers/upload.js';

const FIXTURES = new URL('../fixtures/advisories', import.meta.url).pathname;

/** An npm application whose lock file pins one dependency. */
function app(name: string, dependency: { name: string; version: string }): Promise<Buffer> {
  const dependencies = { [dependency.name]: dependency.version };
  const lock = {
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    packages: {
      '': { name, version: '1.0.0', dependencies },
      [`node_modules/${dependency.name}`]: { version: dependency.version },
    },
  };
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify({ name, version: '1.0.0', dependencies }) },
    { name: 'package/package-lock.json', content: JSON.stringify(lock) },
  ]);
}

describe.each(BACKENDS)('the security scanning overview on %s', (backend) => {
  let server: TestServer;
  const ids: Record<string, string> = {};
  // The service's clock: moved on ten days after the first package's scan, so the scans differ in age.
  let now = Date.now();

  beforeAll(async () => {
    server = await startServerOn(backend, { clock: () => new Date(now) });
    const quiet = { out: () => {}, err: () => {}, env: {} };
    const { database } = server.ctx.config;
    const on = database.kind === 'postgres' ? ['--database-url', database.url] : [];
    if ((await main(['advisories', 'import', '--data-dir', server.dataDir, ...on, FIXTURES], quiet)) !== 0)
      throw new Error('importing the advisory subset failed');
    // The listing helpers start servers without background work: the scanner is what this needs.
    server.services.scan.worker.start();
    await createRepo(server, 'dev');
    await createRepo(server, 'hidden');
    const push = async (repo: string, key: string, bytes: Buffer, filename: string, format = 'npm') => {
      const res = await uploadPackage<Package>(server, repo, format, bytes, filename, {
        name: key,
        version: '1.0.0',
      });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      ids[key] = res.body.slug_perm;
      await server.services.scan.waitForScan(res.body.slug_perm, 30);
    };
    // sequelize 3.23.5 is covered by NSWG-ECO-122 in the bundled subset.
    await push(
      'dev',
      'orm-app',
      await app('orm-app', { name: 'sequelize', version: '3.23.5' }),
      'orm-app-1.0.0.tgz',
    );
    now += 10 * 86_400_000;
    await push(
      'dev',
      'safe-app',
      await app('safe-app', { name: 'sequelize', version: '6.37.0' }),
      'safe-app-1.0.0.tgz',
    );
    await push('dev', 'blob', Buffer.from('opaque bytes'), 'blob-1.0.0.bin', 'raw');
    await push(
      'hidden',
      'secret-app',
      await app('secret-app', { name: 'sequelize', version: '3.23.5' }),
      'secret-app-1.0.0.tgz',
    );
    const q = await api(server, 'POST', `/packages/acme/dev/${ids['safe-app']}/quarantine/`, {});
    if (q.status !== 200) throw new Error(JSON.stringify(q.body));
  }, 120_000);
  afterAll(async () => server.close());

  /** The names a package search finds, in a repository or (`repo` empty) over the org. */
  async function search(repo: string, query: string, key?: string): Promise<string[]> {
    const res = await api<Package[]>(
      server,
      'GET',
      `/packages/acme/${repo ? `${repo}/` : ''}?query=${encodeURIComponent(query)}`,
      undefined,
      key,
    );
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.map((p) => p.name).sort();
  }

  it('counts a repository by scan state, policy outcome, severity and age, each with its package search', async () => {
    const res = await api<SecurityOverview>(server, 'GET', '/security-overview/acme/dev/');
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o.packages).toBe(3);
    expect(o.scan).toEqual({ scanned: 2, awaiting: 0, not_scanned: 1 });
    expect(o.policy).toEqual({ pass: 1, fail: 1, quarantined: 1 });
    expect(o.age).toMatchObject({ day: 2, week: 0, month: 1, older: 0 });
    expect(o.age.oldest_scan_at).not.toBeNull();
    const vulnerable = Object.entries(o.severity).filter(([level, n]) => level !== 'None' && n > 0);
    expect(vulnerable).toHaveLength(1);
    expect(o.severity.None).toBe(1);
    expect(o.advisories.find((a) => a.ecosystem === 'npm')?.advisories).toBeGreaterThan(0);

    // The search behind each count lists exactly the packages counted.
    expect(await search('dev', o.queries.scanned!)).toEqual(['orm-app', 'safe-app']);
    expect(await search('dev', o.queries.not_scanned!)).toEqual(['blob']);
    expect(await search('dev', o.queries.pass!)).toEqual(['orm-app']);
    expect(await search('dev', o.queries.fail!)).toEqual(['safe-app']);
    expect(await search('dev', o.queries[vulnerable[0]![0]]!)).toEqual(['orm-app']);
    expect(await search('dev', o.queries.None!)).toEqual(['safe-app']);
    expect(await search('dev', o.queries.day!)).toEqual(['blob', 'safe-app']);
    expect(await search('dev', o.queries.week!)).toEqual([]);
    expect(await search('dev', o.queries.month!)).toEqual(['orm-app']);
    expect(await search('dev', o.queries.older!)).toEqual([]);
    expect(await search('dev', o.queries.with_gaps!)).toHaveLength(o.coverage.with_gaps);
  });

  it('searches by scan age and coverage with open and closed ranges', async () => {
    expect(await search('dev', 'scan_age:9d..')).toEqual(['orm-app']);
    expect(await search('dev', 'scan_age:..9d')).toEqual(['blob', 'safe-app']);
    expect(await search('dev', 'scan_age:9d..11d')).toEqual(['orm-app']);
    expect(await search('dev', 'scan_age:11d..')).toEqual([]);
    expect(await search('dev', '~scan_age:..1h')).toEqual(['orm-app']);
    const gaps = await search('dev', 'coverage:gaps');
    const complete = await search('dev', 'coverage:complete');
    expect([...gaps, ...complete].sort()).toEqual(['blob', 'orm-app', 'safe-app']);
  });

  it('names a scan-age range or coverage it cannot read', async () => {
    for (const [query, message] of [
      ['scan_age:soon', "'scan_age:soon' is not a range"],
      ['scan_age:7x..', 'not a number and a unit'],
      ['scan_age:7d..1d', 'is empty'],
      ['coverage:most', "'coverage:most' must be coverage:gaps"],
    ]) {
      const res = await api(server, 'GET', `/packages/acme/dev/?query=${encodeURIComponent(query!)}`);
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body)).toContain(message);
    }
  });

  it("lists an org's packages behind its counts, over what the caller may read", async () => {
    const org = await api<SecurityOverview>(server, 'GET', '/security-overview/acme/');
    const all = await search('', '');
    expect(all).toEqual(['blob', 'orm-app', 'safe-app', 'secret-app']);
    expect(await search('', org.body.queries.fail!)).toEqual(['safe-app']);
    expect(await search('', org.body.queries.month!)).toEqual(['orm-app']);
    expect(await search('', 'name:app scan_age:..1d')).toEqual(['safe-app', 'secret-app']);
    const reader = await createAccount(server, `lister-${backend}`, { dev: 'Read' });
    expect(await search('', org.body.queries.day!, reader)).toEqual(['blob', 'safe-app']);
    const paged = await api<Package[]>(server, 'GET', '/packages/acme/?page_size=1&sort=name');
    expect(paged.headers.get('x-pagination-count')).toBe('4');
    expect(paged.body.map((p) => p.name)).toEqual(['blob']);
    const bad = await api(server, 'GET', '/packages/acme/?query=scan:sideways');
    expect(bad.status).toBe(422);
    expect((await api(server, 'GET', '/packages/acme/', undefined, null)).status).toBe(401);
  });

  it('counts over the org only what the caller may read', async () => {
    const admin = await api<SecurityOverview>(server, 'GET', '/security-overview/acme/');
    expect(admin.body.packages).toBe(4);
    const reader = await createAccount(server, `reader-${backend}`, { dev: 'Read' });
    const limited = await api<SecurityOverview>(server, 'GET', '/security-overview/acme/', undefined, reader);
    expect(limited.status).toBe(200);
    expect(limited.body.packages).toBe(3);
    expect((await api(server, 'GET', '/security-overview/acme/hidden/', undefined, reader)).status).toBe(403);
    expect((await api(server, 'GET', '/security-overview/acme/', undefined, null)).status).toBe(401);
  });

  it('names a scan state or severity the search does not know', async () => {
    const res = await api<{ detail: string }>(server, 'GET', '/packages/acme/dev/?query=severity:dire');
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain("'severity:dire' is not a severity");
  });
});
