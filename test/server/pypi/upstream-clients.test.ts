import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Package } from '../../../src/api/packages.js';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { api } from '../../helpers/upload.js';
import { createRepo } from '../upload-helpers.js';

// The tools .ci/tools.d installs (jest.config.js leaves this suite out without them).
const TOOLS = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools');
const BIN = process.env.AIRLOCK_PYTHON_CLIENTS ?? path.join(TOOLS, 'python-clients', 'bin');
const PYPISERVER = process.env.AIRLOCK_PYPISERVER ?? path.join(TOOLS, 'pypiserver', 'bin', 'pypi-server');
const MAKE_DIST = path.resolve('test/fixtures/python/make_dist.py');

interface Run {
  code: number;
  out: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.tmpdir(),
          COLUMNS: '400',
          NO_COLOR: '1',
          PIP_CONFIG_FILE: os.devNull,
          PIP_DISABLE_PIP_VERSION_CHECK: '1',
          PIP_NO_INPUT: '1',
          PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          out: `${stdout}\n${stderr}`,
        });
      },
    );
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** pypiserver on loopback serving `dir`, uploads without credentials, never falling back elsewhere. */
async function startPypiserver(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    PYPISERVER,
    ['run', '-i', '127.0.0.1', '-p', String(port), '-a', '.', '-P', '.', '--disable-fallback', dir],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${url}/simple/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}

describe('the python index proxying pypiserver, with the real pip', () => {
  let server: TestServer;
  let work: string;
  let upstream: { url: string; stop(): Promise<void> };
  let indexUrl: string;

  beforeAll(async () => {
    server = await startTestServer({}, { background: false });
    await createRepo(server.ctx.db, 'acme', 'proxy');
    work = tempDir('airlock-pypi-upstream-');
    const dists = path.join(work, 'dists');
    for (const args of [
      ['up-lib', '1.0'],
      ['up-lib', '1.1'],
      ['up-lib', '1.2'],
      ['up-app', '1.0', '--requires', 'up-lib>=1.0'],
    ]) {
      const made = await run('python3', [MAKE_DIST, dists, ...args, '--kind', 'wheel']);
      if (made.code !== 0) throw new Error(made.out);
    }
    const held = path.join(work, 'held');
    fs.mkdirSync(held);
    upstream = await startPypiserver(held);
    // pypiserver holds what twine uploads to it, as a team's own index would.
    const uploaded = await run(path.join(BIN, 'twine'), [
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '--repository-url',
      `${upstream.url}/`,
      '-u',
      'any',
      '-p',
      'any',
      ...fs.readdirSync(dists).map((f) => path.join(dists, f)),
    ]);
    if (uploaded.code !== 0) throw new Error(uploaded.out);
    const configured = await api(server, 'POST', '/repos/acme/proxy/upstream/python/', {
      name: 'team-index',
      upstream_url: `${upstream.url}/simple/`,
      mode: 'Cache and Proxy',
    });
    expect(configured.status).toBe(201);

    // An advisory that makes up-lib 1.2 vulnerable (High), for the firewall case.
    const advisories = tempDir('airlock-osv-');
    const id = `AIRLOCK-UP-${crypto.randomBytes(3).toString('hex')}`;
    fs.writeFileSync(
      path.join(advisories, `${id}.json`),
      JSON.stringify({
        id,
        modified: '2026-01-01T00:00:00Z',
        summary: 'up-lib 1.2 is unsafe',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'up-lib' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.2' }, { fixed: '1.3' }] }],
            database_specific: { severity: 'HIGH' },
          },
        ],
      }),
    );
    await importAdvisories(server.ctx.db, advisories);
    fs.rmSync(advisories, { recursive: true, force: true });

    const url = new URL(`${server.url}/pypi/acme/proxy/simple/`);
    url.username = '__token__';
    url.password = server.adminKey;
    indexUrl = url.toString();
  });
  afterAll(async () => {
    await upstream?.stop();
    await server?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function freshVenv(name: string): Promise<string> {
    const dir = path.join(work, name);
    const made = await run('python3', ['-m', 'venv', '--without-pip', dir]);
    if (made.code !== 0) throw new Error(made.out);
    return path.join(dir, 'bin', 'python');
  }

  const pipInstall = async (venv: string, ...requirements: string[]) => {
    const python = await freshVenv(venv);
    const res = await run(path.join(BIN, 'pip'), [
      '--python',
      python,
      'install',
      '--no-cache-dir',
      '--index-url',
      indexUrl,
      ...requirements,
    ]);
    return { ...res, python };
  };
  const keptFiles = async (): Promise<string[]> =>
    (await api<Package[]>(server, 'GET', '/packages/acme/proxy/?page_size=100')).body
      .map((p) => p.filename)
      .sort();

  it('installs through the upstream and keeps what it fetched as python packages', async () => {
    const res = await pipInstall('fill', 'up-app');
    expect(res.out).toMatch(/Successfully installed up-app-1\.0 up-lib-1\.2/);
    expect(await keptFiles()).toEqual(['up_app-1.0-py3-none-any.whl', 'up_lib-1.2-py3-none-any.whl']);
  });

  it("leaves a version a blocking policy forbids out, so 'up-lib>=1' resolves past it", async () => {
    const policy = await api<{ slug_perm: string }>(server, 'POST', '/orgs/acme/vulnerability-policy/', {
      name: 'python highs',
      min_severity: 'High',
      on_violation_quarantine: true,
      package_query_string: 'format:python',
    });
    expect(policy.status).toBe(201);
    try {
      const res = await pipInstall('firewall', 'up-lib>=1');
      expect(res.out).toMatch(/Successfully installed up-lib-1\.1/);
      const pinned = await pipInstall('firewall-pinned', 'up-lib==1.2');
      expect(pinned.code).not.toBe(0);
      expect(pinned.out).toMatch(/No matching distribution found for up-lib==1\.2/);
    } finally {
      await api(server, 'DELETE', `/orgs/acme/vulnerability-policy/${policy.body.slug_perm}/`);
    }
  });

  it('installs what it holds with the upstream stopped', async () => {
    await upstream.stop();
    const res = await pipInstall('offline', 'up-app', 'up-lib==1.1');
    expect(res.out).toMatch(/Successfully installed up-app-1\.0 up-lib-1\.1/);
    expect(res.code).toBe(0);
  });
});
