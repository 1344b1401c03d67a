import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Package } from '../../../src/api/packages.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { api } from '../../helpers/upload.js';
import { createRepo } from '../upload-helpers.js';

// The clients .ci/tools.d/python-clients.sh installs (jest.config.js leaves this suite out without them).
const TOOLS = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools');
const BIN = process.env.AIRLOCK_PYTHON_CLIENTS ?? path.join(TOOLS, 'python-clients', 'bin');
const TWINE_SKIP =
  process.env.AIRLOCK_TWINE_SKIP ?? path.join(TOOLS, 'python-clients', 'twine-skip', 'bin', 'twine');
const MAKE_DIST = path.resolve('test/fixtures/python/make_dist.py');
const UPLOAD_LIMIT = 256 * 1024;

interface Run {
  code: number;
  out: string;
}

/** Runs a client to completion; its exit code and its stdout and stderr together. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.tmpdir(),
          // Wide, plain output, so that messages are not wrapped or coloured.
          COLUMNS: '400',
          NO_COLOR: '1',
          PIP_CONFIG_FILE: os.devNull,
          PIP_DISABLE_PIP_VERSION_CHECK: '1',
          PIP_NO_INPUT: '1',
          UV_NO_CONFIG: '1',
          UV_NO_CACHE: '1',
          UV_PYTHON_DOWNLOADS: 'never',
          PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
          ...env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe('the python index with the real twine, pip and uv', () => {
  let server: TestServer;
  let work: string;
  let key: string;
  let dists: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { uploadBytes: UPLOAD_LIMIT } }, { background: false });
    await createRepo(server.ctx.db, 'acme', 'dev');
    await createRepo(server.ctx.db, 'acme', 'prod');
    key = server.adminKey;
    work = tempDir('airlock-pypi-clients-');
    dists = path.join(work, 'dists');
    const make = async (...args: string[]): Promise<void> => {
      const made = await run('python3', [MAKE_DIST, ...args]);
      if (made.code !== 0) throw new Error(made.out);
    };
    await make(dists, 'demo-lib', '0.9', '--kind', 'wheel');
    await make(dists, 'demo-lib', '1.0', '--requires-python', '>=3.8');
    await make(dists, 'demo-lib', '1.1', '--kind', 'wheel');
    await make(dists, 'Demo.App', '1.0', '--requires', 'demo-lib>=1.0,<1.1');
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const uploadUrl = (repo: string) => `${server.url}/pypi/acme/${repo}/`;
  const indexUrl = (repo: string) => {
    const url = new URL(`${server.url}/pypi/acme/${repo}/simple/`);
    url.username = '__token__';
    url.password = key;
    return url.toString();
  };
  const twine = (args: string[], twineBin = path.join(BIN, 'twine')) =>
    run(twineBin, [
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '-u',
      '__token__',
      '-p',
      key,
      ...args,
    ]);
  const filesOf = async (repo: string): Promise<string[]> => {
    const res = await api<Package[]>(server, 'GET', `/packages/acme/${repo}/?page_size=100`);
    return res.body.map((p) => p.filename).sort();
  };

  /** A fresh, empty venv (no pip inside: the clients install into it from outside). */
  async function freshVenv(name: string): Promise<string> {
    const dir = path.join(work, name);
    const made = await run('python3', ['-m', 'venv', '--without-pip', dir]);
    if (made.code !== 0) throw new Error(made.out);
    return path.join(dir, 'bin', 'python');
  }

  const versionIn = async (python: string, module: string): Promise<string> =>
    (await run(python, ['-c', `import ${module}; print(${module}.VERSION)`])).out.trim();

  it('twine uploads wheels and an sdist', async () => {
    const files = fs.readdirSync(dists).map((f) => path.join(dists, f));
    const res = await twine(['--repository-url', uploadUrl('dev'), ...files]);
    expect(res).toMatchObject({ code: 0 });
    expect(await filesOf('dev')).toEqual([
      'demo_app-1.0-py3-none-any.whl',
      'demo_app-1.0.tar.gz',
      'demo_lib-0.9-py3-none-any.whl',
      'demo_lib-1.0-py3-none-any.whl',
      'demo_lib-1.0.tar.gz',
      'demo_lib-1.1-py3-none-any.whl',
    ]);
  });

  it('pip installs a package and its dependency from the index into a fresh venv', async () => {
    const python = await freshVenv('pip-app');
    const res = await run(path.join(BIN, 'pip'), [
      '--python',
      python,
      'install',
      '--no-cache-dir',
      '--index-url',
      indexUrl('dev'),
      'demo-app',
    ]);
    expect(res.out).toMatch(/Successfully installed demo-app-1\.0 demo-lib-1\.0/);
    expect(res.code).toBe(0);
    expect(await versionIn(python, 'demo_lib')).toBe('1.0');
  });

  it("pip install 'demo-lib>=1' picks the newest version", async () => {
    const python = await freshVenv('pip-newest');
    const res = await run(path.join(BIN, 'pip'), [
      '--python',
      python,
      'install',
      '--no-cache-dir',
      '--index-url',
      indexUrl('dev'),
      'demo-lib>=1',
    ]);
    expect(res.code).toBe(0);
    expect(await versionIn(python, 'demo_lib')).toBe('1.1');
  });

  it('uv resolves and installs the same requirements', async () => {
    const python = await freshVenv('uv-app');
    const res = await run(path.join(BIN, 'uv'), [
      'pip',
      'install',
      '--python',
      python,
      '--index-url',
      indexUrl('dev'),
      'demo-app',
    ]);
    expect(res.out).toMatch(/\+ demo-app==1\.0[\s\S]*\+ demo-lib==1\.0/);
    expect(res.code).toBe(0);
    expect(await versionIn(python, 'demo_app')).toBe('1.0');
  });

  it('twine prints "File already exists" for a file the index holds, and --skip-existing skips it', async () => {
    const file = path.join(dists, 'demo_lib-1.0.tar.gz');
    const again = await twine(['--repository-url', uploadUrl('dev'), file]);
    expect(again.code).not.toBe(0);
    expect(again.out).toMatch(/400 Bad Request[\s\S]*File already exists/);
    const skipped = await twine(['--skip-existing', '--repository-url', uploadUrl('dev'), file], TWINE_SKIP);
    expect(skipped.out).toMatch(/Skipping demo_lib-1\.0\.tar\.gz because it appears to already exist/);
    expect(skipped.code).toBe(0);
  });

  it('uv publish with --check-url skips what the index holds and uploads the rest', async () => {
    const fresh = path.join(work, 'fresh');
    const made = await run('python3', [MAKE_DIST, fresh, 'demo-lib', '1.2', '--kind', 'wheel']);
    expect(made.code).toBe(0);
    const res = await run(path.join(BIN, 'uv'), [
      'publish',
      '--publish-url',
      uploadUrl('dev'),
      '--check-url',
      indexUrl('dev'),
      '-u',
      '__token__',
      '-p',
      key,
      path.join(dists, 'demo_lib-1.1-py3-none-any.whl'),
      path.join(fresh, 'demo_lib-1.2-py3-none-any.whl'),
    ]);
    expect(res.out).toMatch(/demo_lib-1\.1-py3-none-any\.whl already exists, skipping/);
    expect(res.code).toBe(0);
    expect(await filesOf('dev')).toContain('demo_lib-1.2-py3-none-any.whl');
  });

  it('twine prints why a wheel whose file name and METADATA disagree is refused, and nothing is stored', async () => {
    const bad = path.join(work, 'bad');
    const made = await run('python3', [
      MAKE_DIST,
      bad,
      'demo-lib',
      '3.0',
      '--wheel-name',
      'other-name',
      '--kind',
      'wheel',
    ]);
    expect(made.code).toBe(0);
    const before = await filesOf('dev');
    const res = await twine([
      '--repository-url',
      uploadUrl('dev'),
      path.join(bad, 'other_name-3.0-py3-none-any.whl'),
    ]);
    expect(res.code).not.toBe(0);
    expect(res.out).toMatch(
      /400 Bad Request[\s\S]*The file name 'other_name-3\.0-py3-none-any\.whl' says name 'other_name' version '3\.0', but its METADATA says name 'demo-lib' version '3\.0'/,
    );
    expect(await filesOf('dev')).toEqual(before);
  });

  it('twine prints the size limit for an oversize file, and nothing is stored', async () => {
    const big = path.join(work, 'big');
    fs.mkdirSync(big);
    const made = await run('python3', [
      MAKE_DIST,
      big,
      'huge',
      '1.0',
      '--kind',
      'wheel',
      '--pad',
      String(UPLOAD_LIMIT),
    ]);
    expect(made.code).toBe(0);
    const wheelPath = path.join(big, 'huge-1.0-py3-none-any.whl');
    expect(fs.statSync(wheelPath).size).toBeGreaterThan(UPLOAD_LIMIT);
    const res = await twine(['--repository-url', uploadUrl('dev'), wheelPath]);
    expect(res.code).not.toBe(0);
    expect(res.out).toMatch(/413[\s\S]*larger than this server accepts \(262144 bytes\); nothing was stored/);
    expect(await filesOf('dev')).not.toContain('huge-1.0-py3-none-any.whl');
  });

  it('twine prints a refused token', async () => {
    const res = await run(path.join(BIN, 'twine'), [
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '-u',
      '__token__',
      '-p',
      'not-a-key',
      '--repository-url',
      uploadUrl('dev'),
      path.join(dists, 'demo_lib-0.9-py3-none-any.whl'),
    ]);
    expect(res.code).not.toBe(0);
    expect(res.out).toMatch(/401 Unauthorized/);
    expect(res.out).not.toContain(key);
  });

  it('a copy to the next repository is installable from its index at once', async () => {
    const list = await api<Package[]>(server, 'GET', '/packages/acme/dev/?page_size=100');
    for (const name of ['demo_app-1.0-py3-none-any.whl', 'demo_lib-1.0-py3-none-any.whl']) {
      const pkg = list.body.find((p) => p.filename === name)!;
      const copied = await api(server, 'POST', `/packages/acme/dev/${pkg.slug_perm}/copy/`, {
        destination: 'prod',
      });
      expect(copied.status).toBe(200);
    }
    const python = await freshVenv('pip-prod');
    const res = await run(path.join(BIN, 'pip'), [
      '--python',
      python,
      'install',
      '--no-cache-dir',
      '--index-url',
      indexUrl('prod'),
      'demo-app',
    ]);
    expect(res.code).toBe(0);
    expect(await versionIn(python, 'demo_lib')).toBe('1.0');
  });
});
