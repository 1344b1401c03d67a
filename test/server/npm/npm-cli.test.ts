import fs from 'node:fs';
import path from 'node:path';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { api, createAccount, createRepo } from '../../helpers/upload.js';
import { createClient, writePackage, type ClientRun, type RegistryClient } from './npm-client.js';

const NPM_ADVISORIES = new URL('../../fixtures/advisories/npm/all.zip', import.meta.url).pathname;

let server: TestServer;
let npm: RegistryClient;
let work: string;

async function npmOk(args: string[], cwd = work): Promise<ClientRun> {
  const run = await npm.run('npm', args, cwd);
  if (run.code !== 0)
    throw new Error(`npm ${args.join(' ')} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run;
}

beforeAll(async () => {
  server = await startTestServer({}, { background: false });
  await createRepo(server, 'dev');
  await importAdvisories(server.ctx.db, NPM_ADVISORIES);
  npm = createClient(server, 'dev', server.adminKey);
  work = tempDir('airlock-npm-work-');
  // The packages the project installs, published with the real npm client.
  for (const manifest of [
    { name: 'airlock-lib', version: '1.0.0', license: 'MIT', description: 'a library for the npm tests' },
    { name: 'airlock-lib', version: '1.1.0', license: 'MIT', description: 'a library for the npm tests' },
    { name: '@airlock/util', version: '0.1.0', license: 'MIT', dependencies: { 'airlock-lib': '^1.0.0' } },
    // Named and versioned as a real package a bundled advisory (NSWG-ECO-122) covers.
    { name: 'sequelize', version: '3.23.5', license: 'MIT' },
  ]) {
    await npmOk(['publish'], writePackage(work, manifest));
  }
}, 120_000);

afterAll(async () => {
  npm?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  await server?.close();
});

describe('the real npm client', () => {
  const project = (): string => path.join(work, 'project');

  it('installs a project from the packages it published, then npm ci reproduces it from the lockfile', async () => {
    fs.mkdirSync(project(), { recursive: true });
    fs.writeFileSync(
      path.join(project(), 'package.json'),
      JSON.stringify({
        name: 'project',
        version: '1.0.0',
        private: true,
        dependencies: { '@airlock/util': '^0.1.0', sequelize: '3.23.5' },
      }),
    );
    await npmOk(['install', '--no-audit'], project());
    const lock = JSON.parse(fs.readFileSync(path.join(project(), 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string; resolved: string; integrity: string }>;
    };
    expect(lock.packages['node_modules/airlock-lib']).toMatchObject({
      version: '1.1.0',
      resolved: `${npm.registry}airlock-lib/-/airlock-lib-1.1.0.tgz`,
      integrity: expect.stringMatching(/^sha512-/),
    });
    expect(lock.packages['node_modules/@airlock/util']!.version).toBe('0.1.0');

    fs.rmSync(path.join(project(), 'node_modules'), { recursive: true });
    await npmOk(['ci', '--no-audit', '--cache', path.join(npm.home, 'cold-cache')], project());
    const installed = fs.readFileSync(path.join(project(), 'node_modules/airlock-lib/index.js'), 'utf8');
    expect(installed).toContain('1.1.0');
  });

  it('npm audit reports the advisory Airlock holds for a published version', async () => {
    const run = await npm.run('npm', ['audit', '--json'], project());
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      vulnerabilities: Record<string, { via: ({ source: string } | string)[]; severity: string }>;
    };
    expect(Object.keys(report.vulnerabilities)).toEqual(['sequelize']);
    const via = report.vulnerabilities.sequelize!.via.filter((v) => typeof v !== 'string');
    expect(via.map((v) => (v as { source: string }).source)).toContain('NSWG-ECO-122');
  });

  it('manages dist-tags', async () => {
    await npmOk(['dist-tag', 'add', 'airlock-lib@1.0.0', 'stable']);
    const ls = await npmOk(['dist-tag', 'ls', 'airlock-lib']);
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['latest: 1.1.0', 'stable: 1.0.0']);
    await npmOk(['dist-tag', 'rm', 'airlock-lib', 'stable']);
    expect((await npmOk(['dist-tag', 'ls', 'airlock-lib'])).stdout.trim()).toBe('latest: 1.1.0');
  });

  it('deprecates a version, which npm view then shows', async () => {
    await npmOk(['deprecate', 'airlock-lib@1.0.0', 'use 1.1.0']);
    const view = await npmOk(['view', 'airlock-lib@1.0.0', 'deprecated']);
    expect(view.stdout.trim()).toBe('use 1.1.0');
  });

  it('unpublishes one version', async () => {
    await npmOk(['unpublish', 'airlock-lib@1.1.0']);
    const versions = await npmOk(['view', 'airlock-lib', 'versions', '--json']);
    expect(JSON.parse(versions.stdout)).toEqual(['1.0.0']);
  });

  it('searches, says who is logged in and pings', async () => {
    const search = await npmOk(['search', 'airlock', '--json']);
    expect((JSON.parse(search.stdout) as { name: string }[]).map((p) => p.name).sort()).toEqual([
      '@airlock/util',
      'airlock-lib',
    ]);
    const services = await api<{ slug: string; role: string }[]>(
      server,
      'GET',
      `/orgs/${server.org}/services/`,
    );
    const me = (await npmOk(['whoami'])).stdout.trim();
    expect(services.body.map((s) => s.slug)).toContain(me);
    expect((await npmOk(['ping', '--loglevel', 'notice'])).stderr).toMatch(/PONG/);
  });

  it('prints the registry message when a token may only read', async () => {
    const reader = createClient(
      server,
      'dev',
      await createAccount(server, 'npm-cli-reader', { dev: 'Read' }),
    );
    try {
      const run = await reader.run(
        'npm',
        ['publish'],
        writePackage(work, { name: 'refused', version: '1.0.0' }),
      );
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/403 Forbidden - PUT .*refused - .+/);
    } finally {
      reader.close();
    }
  });
});
