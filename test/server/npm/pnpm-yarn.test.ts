import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { createRepo } from '../../helpers/upload.js';
import { createClient, type ClientRun, type RegistryClient } from './npm-client.js';
import { publish } from './npm-helpers.js';

// Installed by .ci/tools.d/pnpm-yarn.sh, which exports where; the defaults are where it puts them.
const TOOLS = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache/airlock-tools');
const PNPM = process.env.AIRLOCK_PNPM ?? path.join(TOOLS, 'pnpm-10.34.9/node_modules/.bin/pnpm');
const YARN =
  process.env.AIRLOCK_YARN ?? path.join(TOOLS, 'yarn-4.18.1/node_modules/@yarnpkg/cli-dist/bin/yarn.js');

let server: TestServer;
let client: RegistryClient;
let work: string;

const PROJECT = {
  name: 'project',
  version: '1.0.0',
  private: true,
  dependencies: { '@airlock/util': '^0.1.0', 'airlock-lib': '^1.0.0' },
};

function project(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(PROJECT, null, 2));
  return dir;
}

function ok(run: ClientRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

beforeAll(async () => {
  server = await startTestServer({}, { background: false });
  await createRepo(server, 'dev');
  for (const [name, version, deps] of [
    ['airlock-lib', '1.0.0', {}],
    ['airlock-lib', '1.2.0', {}],
    ['@airlock/util', '0.1.0', { 'airlock-lib': '^1.0.0' }],
  ] as const) {
    const res = await publish(server, 'dev', name, version, { manifest: { dependencies: deps } });
    if (res.status !== 201) throw new Error(`publishing ${name}@${version}: ${res.status}`);
  }
  client = createClient(server, 'dev', server.adminKey);
  work = tempDir('airlock-pnpm-yarn-');
}, 60_000);

afterAll(async () => {
  client?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
  await server?.close();
});

describe('other clients install from the registry', () => {
  it('pnpm installs the project, scoped package and its dependency included', async () => {
    const dir = project('with-pnpm');
    fs.copyFileSync(client.npmrc, path.join(dir, '.npmrc'));
    const run = await client.run(PNPM, ['install', '--store-dir', path.join(client.home, 'pnpm-store')], dir);
    ok(run, 'pnpm install');
    const lock = fs.readFileSync(path.join(dir, 'pnpm-lock.yaml'), 'utf8');
    expect(lock).toContain('airlock-lib@1.2.0');
    expect(lock).toContain('@airlock/util@0.1.0');
    expect(fs.readFileSync(path.join(dir, 'node_modules/@airlock/util/package.json'), 'utf8')).toContain(
      '0.1.0',
    );
  });

  it('yarn (berry) installs the project', async () => {
    const dir = project('with-yarn');
    const host = new URL(server.url).hostname;
    fs.writeFileSync(
      path.join(dir, '.yarnrc.yml'),
      [
        `npmRegistryServer: "${client.registry.replace(/\/$/, '')}"`,
        `npmAuthToken: "${server.adminKey}"`,
        'npmAlwaysAuth: true',
        `unsafeHttpWhitelist: ["${host}"]`,
        'nodeLinker: node-modules',
        'enableTelemetry: false',
        'enableGlobalCache: false',
        // Yarn holds back versions published in the last days; these were published a moment ago.
        'npmMinimalAgeGate: 0',
        // Yarn turns immutable installs on when it sees a CI environment; this project has no lock yet.
        'enableImmutableInstalls: false',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'yarn.lock'), '');
    const run = await client.run(process.execPath, [YARN, 'install'], dir);
    ok(run, 'yarn install');
    const lock = fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8');
    expect(lock).toMatch(/"airlock-lib@npm:\^1.0.0":\n {2}version: 1.2.0/);
    expect(fs.existsSync(path.join(dir, 'node_modules/@airlock/util/package.json'))).toBe(true);
  });
});
