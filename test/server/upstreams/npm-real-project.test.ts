import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callApi } from '../../helpers/principals.js';
import { publishAll, realPackages, REAL_ROOT, type RealPackage } from '../../helpers/real-npm-packages.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { startVerdaccio, type Verdaccio } from '../../helpers/verdaccio.js';
import { createClient, type ClientRun, type RegistryClient } from '../npm/npm-client.js';

// Installed by .ci/tools.d/pnpm-yarn.sh, which exports where; the defaults are where it puts them.
const TOOLS = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache/airlock-tools');
const PNPM = process.env.AIRLOCK_PNPM ?? path.join(TOOLS, 'pnpm-10.34.9/node_modules/.bin/pnpm');
const YARN =
  process.env.AIRLOCK_YARN ?? path.join(TOOLS, 'yarn-4.18.1/node_modules/@yarnpkg/cli-dist/bin/yarn.js');

let server: TestServer;
let verdaccio: Verdaccio;
let packages: RealPackage[];
let work: string;
let registry: string;
const clients: RegistryClient[] = [];

/** A client with its own HOME and an empty cache. */
function freshClient(): RegistryClient {
  const client = createClient(server, 'real', server.adminKey);
  clients.push(client);
  return client;
}

function ok(run: ClientRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

function project(dir: string): string {
  const root = packages.find((p) => p.name === REAL_ROOT)!;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'real-project',
      version: '1.0.0',
      private: true,
      dependencies: { [REAL_ROOT]: `^${root.version}` },
    }),
  );
  return dir;
}

/** Every name@version of the fixture, sorted. */
const expected = (): string[] => packages.map((p) => `${p.name}@${p.version}`).sort();

beforeAll(async () => {
  work = tempDir('airlock-npm-real-');
  [server, verdaccio, packages] = await Promise.all([
    startTestServer({}, { background: false }),
    startVerdaccio(),
    realPackages(),
  ]);
  await publishAll(packages, verdaccio.url, (name, body) => verdaccio.put(name, body));
  const repo = await callApi(server.url, server.adminKey, 'POST', '/repos/acme/', { name: 'real' });
  expect(repo.status).toBe(201);
  const up = await callApi(server.url, server.adminKey, 'POST', '/repos/acme/real/upstream/npm/', {
    name: 'verdaccio',
    upstream_url: verdaccio.url,
    mode: 'Cache and Proxy',
  });
  expect(up.status).toBe(201);
  registry = `${server.url}/npm/acme/real/`;
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  await verdaccio?.close();
  await server?.close();
});

/**
 * A project whose lockfile holds ~50 real packages (the installed dependency tree of fastify,
 * packed from node_modules and published to a real registry on loopback), installed by npm,
 * pnpm and yarn through a repository's upstream.
 */
describe('a real ~50-package project through an npm upstream', () => {
  const dir = () => path.join(work, 'with-npm');

  it('is a closed tree of about fifty real packages, one of them in two versions', () => {
    expect(packages.length).toBeGreaterThanOrEqual(40);
    const names = packages.map((p) => p.name);
    expect(new Set(names).size).toBeLessThan(names.length);
  });

  it('npm install from a clean cache writes a lockfile of every package, resolved at this registry', async () => {
    const client = freshClient();
    ok(await client.run('npm', ['install', '--no-audit'], project(dir())), 'npm install');
    const lock = JSON.parse(fs.readFileSync(path.join(dir(), 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
    };
    const entries = Object.entries(lock.packages).filter(([key]) => key !== '');
    const byKey = new Map(packages.map((p) => [`${p.name}@${p.version}`, p]));
    const locked = entries.map(([key, e]) => `${key.split('node_modules/').pop()!}@${e.version}`);
    expect([...new Set(locked)].sort()).toEqual(expected());
    for (const [key, entry] of entries) {
      const pkg = byKey.get(`${key.split('node_modules/').pop()!}@${entry.version}`)!;
      expect(entry.resolved?.startsWith(registry)).toBe(true);
      expect(entry.integrity).toBe(pkg.integrity);
    }
  }, 120_000);

  it('npm ci installs that lockfile again from a clean cache, and the installed code runs', async () => {
    fs.rmSync(path.join(dir(), 'node_modules'), { recursive: true, force: true });
    const client = freshClient();
    ok(await client.run('npm', ['ci', '--no-audit'], dir()), 'npm ci');
    const script = [
      `const app = (await import('${REAL_ROOT}')).default();`,
      "app.get('/', async () => ({ served: 'through airlock' }));",
      "process.stdout.write((await app.inject('/')).body);",
    ].join(' ');
    const run = await client.run(process.execPath, ['--input-type=module', '-e', script], dir());
    ok(run, 'node');
    expect(JSON.parse(run.stdout)).toEqual({ served: 'through airlock' });
  }, 120_000);

  it('pnpm installs the same project with every package in its lockfile', async () => {
    const client = freshClient();
    const pnpmDir = project(path.join(work, 'with-pnpm'));
    fs.copyFileSync(client.npmrc, path.join(pnpmDir, '.npmrc'));
    const run = await client.run(PNPM, ['install', '--store-dir', path.join(client.home, 'store')], pnpmDir);
    ok(run, 'pnpm install');
    const lock = fs.readFileSync(path.join(pnpmDir, 'pnpm-lock.yaml'), 'utf8');
    // Scoped keys are quoted: '@scope/name@1.0.0':
    const missing = expected().filter((id) => !lock.includes(`${id}:`) && !lock.includes(`${id}':`));
    expect(missing).toEqual([]);
  }, 120_000);

  it('yarn installs the same project with every package in its lockfile', async () => {
    const client = freshClient();
    const yarnDir = project(path.join(work, 'with-yarn'));
    fs.writeFileSync(
      path.join(yarnDir, '.yarnrc.yml'),
      [
        `npmRegistryServer: "${registry.replace(/\/$/, '')}"`,
        `npmAuthToken: "${server.adminKey}"`,
        'npmAlwaysAuth: true',
        `unsafeHttpWhitelist: ["${new URL(server.url).hostname}"]`,
        'nodeLinker: node-modules',
        'enableTelemetry: false',
        'enableGlobalCache: false',
        'npmMinimalAgeGate: 0',
        'enableImmutableInstalls: false',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(yarnDir, 'yarn.lock'), '');
    ok(await client.run(process.execPath, [YARN, 'install'], yarnDir), 'yarn install');
    const lock = fs.readFileSync(path.join(yarnDir, 'yarn.lock'), 'utf8');
    const missing = packages
      .filter((p) => !lock.includes(`resolution: "${p.name}@npm:${p.version}"`))
      .map((p) => `${p.name}@${p.version}`);
    expect(missing).toEqual([]);
    // Tarball URLs in the conventional form: yarn would otherwise pin this host into the lockfile.
    expect(lock).not.toContain('__archiveUrl');
  }, 120_000);
});
