import type { Package } from '../../../src/api/packages.js';
import type { ScanCoverage, VulnerabilityScanResultsListItem } from '../../../src/api/vulnerabilities.js';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { upsertFeed } from '../../../src/server/store/advisories.js';
import { makeTar } from '../../fixtures/packages/archives.js';
import { NPM_ADVISORIES } from '../../helpers/advisories.js';
import { loadArchive } from './advisories-data.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

type Detail = VulnerabilityScanResultsListItem & { coverage: ScanCoverage; outcome: string };

function lockfile(name: string, deps: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name, version: '1.0.0', dependencies: deps } };
  for (const [dep, version] of Object.entries(deps)) packages[`node_modules/${dep}`] = { version };
  return JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages });
}

async function appTarball(name: string, deps: Record<string, string>): Promise<Buffer> {
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify({ name, version: '1.0.0' }) },
    { name: 'package/package-lock.json', content: lockfile(name, deps) },
  ]);
}

const DEPS = { 'left-pad': '1.3.0', 'is-even': '1.0.0', chalk: '4.1.2' };

/** Uploads, waits for the scan, and returns the package, its list item and the scan detail. */
async function scanned(
  server: TestServer,
  format: string,
  bytes: Buffer,
  filename: string,
  fields: Record<string, unknown> = {},
): Promise<{ pkg: Package; item: VulnerabilityScanResultsListItem; detail: Detail }> {
  const created = await uploadPackage<Package>(server, 'dev', format, bytes, filename, fields);
  expect(created.status).toBe(201);
  const id = created.body.slug_perm;
  await server.services.scan.waitForScan(id, 30);
  const pkg = (await api<Package>(server, 'GET', `/packages/acme/dev/${id}/`)).body;
  const list = await api<VulnerabilityScanResultsListItem[]>(
    server,
    'GET',
    `/vulnerabilities/acme/dev/${id}/`,
  );
  expect(list.body).toHaveLength(1);
  const item = list.body[0]!;
  const detail = await api<Detail>(server, 'GET', `/vulnerabilities/acme/dev/${id}/${item.identifier}/`);
  expect(detail.status).toBe(200);
  return { pkg, item, detail: detail.body };
}

describe('a scan against a database that holds no advisories', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createRepo(server, 'dev');
  });
  afterAll(() => server.close());

  it('does not call the package clean-by-evaluation: every component is not evaluated, for want of advisory data', async () => {
    const { pkg, item, detail } = await scanned(
      server,
      'npm',
      await appTarball('app-empty', DEPS),
      'app-empty-1.0.0.tgz',
    );
    // The package itself and its three locked dependencies.
    expect(pkg.security_scan_status).toBe('Scan Detected No Vulnerabilities');
    expect(item).toMatchObject({
      num_components: 4,
      num_components_evaluated: 0,
      num_components_not_evaluated: 4,
    });
    expect(pkg).toMatchObject({ num_components_evaluated: 0, num_components_not_evaluated: 4 });
    expect(detail.coverage.complete).toBe(false);
    expect(detail.coverage.limit_reached).toBeNull();
    expect(detail.coverage.not_evaluated_components.map((c) => [c.name, c.reason, c.location?.path])).toEqual(
      [
        ['app-empty', 'no_advisory_data', 'package/package.json'],
        ['left-pad', 'no_advisory_data', 'package/package-lock.json'],
        ['is-even', 'no_advisory_data', 'package/package-lock.json'],
        ['chalk', 'no_advisory_data', 'package/package-lock.json'],
      ],
    );
    for (const c of detail.coverage.not_evaluated_components) expect(c.detail).toMatch(/no npm advisories/);
    expect(detail.coverage.ecosystems).toEqual([
      { ecosystem: 'npm', components: 4, evaluated: 0, advisories: 0, advisories_updated_at: null },
    ]);
  });

  it('names a PyPI pin whose version is not PEP 440 as unparseable', async () => {
    const requirements = 'requests==2.31.0\nweird-lib==2.0.0-final\n';
    const { item, detail } = await scanned(server, 'raw', Buffer.from(requirements), 'requirements.txt', {
      name: 'reqs',
      version: '1.0',
    });
    expect(item).toMatchObject({ num_components: 2, num_components_not_evaluated: 2 });
    const weird = detail.coverage.not_evaluated_components.find((c) => c.name === 'weird-lib');
    expect(weird).toEqual({
      ecosystem: 'PyPI',
      name: 'weird-lib',
      version: '2.0.0-final',
      reason: 'unparseable_version',
      detail: "PyPI version '2.0.0-final' is not a valid PEP 440 version",
      location: { path: 'requirements.txt' },
    });
  });

  it('reads null counts on a package whose first scan has not completed', async () => {
    const quiet = await startTestServer({}, { background: false });
    try {
      await createRepo(quiet, 'dev');
      const created = await uploadPackage<Package>(
        quiet,
        'dev',
        'npm',
        await appTarball('app-wait', DEPS),
        'app-wait-1.0.0.tgz',
      );
      expect(created.body).toMatchObject({
        num_components_evaluated: null,
        num_components_not_evaluated: null,
      });
    } finally {
      await quiet.close();
    }
  });
});

describe('a scan that reaches a scan limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ scan: { maxComponents: 2 } });
    await createRepo(server, 'dev');
  });
  afterAll(() => server.close());

  it('keeps the components within the limit, and reports the rest as not evaluated with the limit named', async () => {
    const { pkg, item, detail } = await scanned(
      server,
      'npm',
      await appTarball('app-big', DEPS),
      'app-big-1.0.0.tgz',
    );
    expect(item.num_components).toBe(4);
    expect(detail.coverage.limit_reached).toBe('components per package (2)');
    expect(detail.coverage.complete).toBe(false);
    const limited = detail.coverage.not_evaluated_components.filter((c) => c.reason === 'scan_limit');
    expect(limited.map((c) => `${c.name}@${c.version}`)).toEqual(['is-even@1.0.0', 'chalk@4.1.2']);
    expect(limited[0]!.detail).toMatch(/components per package \(2\)/);
    // The two kept are not evaluated either: this database holds no advisories.
    expect(pkg.num_components_not_evaluated).toBe(4);
    expect(detail.coverage.ecosystems[0]).toMatchObject({ ecosystem: 'npm', components: 4 });
  });
});

describe('a scan against loaded advisories', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await importAdvisories(server.ctx.db, NPM_ADVISORIES);
    await upsertFeed(server.ctx, 'npm', { source: NPM_ADVISORIES, updated_at: '2025-01-02T03:04:05.000Z' });
    await createRepo(server, 'dev');
  }, 60_000);
  afterAll(() => server.close());

  it('is complete when every component was evaluated, and says how much advisory data it was judged against', async () => {
    const { pkg, item, detail } = await scanned(
      server,
      'npm',
      await appTarball('app-full', DEPS),
      'app-full-1.0.0.tgz',
    );
    expect(item).toMatchObject({
      num_components: 4,
      num_components_evaluated: 4,
      num_components_not_evaluated: 0,
    });
    expect(pkg).toMatchObject({ num_components_evaluated: 4, num_components_not_evaluated: 0 });
    expect(detail.coverage).toMatchObject({
      complete: true,
      evaluated: 4,
      not_evaluated: 0,
      not_evaluated_components: [],
      limit_reached: null,
    });
    expect(detail.coverage.ecosystems).toHaveLength(1);
    const npm = detail.coverage.ecosystems[0]!;
    expect(npm).toMatchObject({
      ecosystem: 'npm',
      components: 4,
      evaluated: 4,
      advisories_updated_at: '2025-01-02T03:04:05.000Z',
    });
    // Every live advisory of the archive imported.
    expect(npm.advisories).toBe((await loadArchive('npm')).filter((d) => !d.withdrawn).length);
  });

  it('still evaluates the ecosystems it has data for when another has none', async () => {
    const tarball = await makeTar([
      { name: 'package/package.json', content: JSON.stringify({ name: 'mixed', version: '1.0.0' }) },
      { name: 'package/package-lock.json', content: lockfile('mixed', { 'left-pad': '1.3.0' }) },
      { name: 'package/requirements.txt', content: 'requests==2.31.0\n' },
    ]);
    const { detail } = await scanned(server, 'npm', tarball, 'mixed-1.0.0.tgz');
    expect(detail.coverage).toMatchObject({ complete: false, evaluated: 2, not_evaluated: 1 });
    expect(detail.coverage.not_evaluated_components).toEqual([
      expect.objectContaining({ ecosystem: 'PyPI', name: 'requests', reason: 'no_advisory_data' }),
    ]);
    expect(detail.coverage.ecosystems.map((e) => [e.ecosystem, e.components, e.evaluated])).toEqual([
      ['npm', 2, 2],
      ['PyPI', 1, 0],
    ]);
  });
});
