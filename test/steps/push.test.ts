import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pushPackages } from '../../src/steps/push.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  adminConnection,
  createRepos,
  FakeRuntime,
  listPackages,
  pushSettings,
  stepClient,
  writeFile,
  writeNpm,
  writeSdist,
  writeWheel,
} from './step-helpers.js';

describe('the push step against the real service', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    proxy = await startFaultProxy(server.url);
    await createRepos(server, 'dev', 'flaky', 'refused');
    dir = tempDir('airlock-push-');
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('detects npm, wheel, sdist and raw files, uploads them and outputs and exports the packages', async () => {
    const work = path.join(dir, 'mixed');
    await writeNpm(work, 'left-widget', '1.0.0');
    await writeWheel(work, 'snake_tool', '2.1.0');
    await writeSdist(work, 'snake_src', '0.3.0');
    writeFile(work, 'firmware.bin', crypto.randomBytes(5000));
    const runtime = new FakeRuntime();
    const { client } = stepClient(runtime, adminConnection(server));

    const result = await pushPackages(
      runtime,
      client,
      pushSettings(adminConnection(server), {
        files: [`${work}/*.tgz`, `${work}/*.whl`, `${work}/*.tar.gz`, `${work}/*.bin`],
        name: 'firmware',
        version: '7.0',
      }),
    );

    const byFile = Object.fromEntries(result.packages.map((p) => [p.filename, p]));
    expect(
      Object.values(byFile)
        .map((p) => [p.name, p.version, p.format])
        .sort(),
    ).toEqual(
      [
        ['firmware', '7.0', 'raw'],
        ['left-widget', '1.0.0', 'npm'],
        ['snake_src', '0.3.0', 'python'],
        ['snake_tool', '2.1.0', 'python'],
      ].sort(),
    );
    expect(result).toMatchObject({ uploaded: 4, reused: 0 });
    for (const p of result.packages) {
      expect(Object.keys(p).sort()).toEqual(['filename', 'format', 'name', 'slug_perm', 'url', 'version']);
      expect(p.url).toMatch(/^http/);
    }
    const stored = await listPackages(server, 'dev');
    expect(stored.map((p) => p.slug_perm).sort()).toEqual(result.packages.map((p) => p.slug_perm).sort());
    expect(JSON.parse(runtime.outputs.packages!)).toEqual(result.packages);
    expect(runtime.env).toMatchObject({
      AIRLOCK_PACKAGES: runtime.outputs.packages,
      AIRLOCK_OWNER: 'acme',
      AIRLOCK_REPO: 'dev',
    });
    expect(runtime.log.join('\n')).toMatch(
      /left-widget-1\.0\.0\.tgz: npm, an npm tarball with package\/package\.json; sha256 [0-9a-f]{64}/,
    );
  });

  it('does not upload again a file whose content is already in the repository', async () => {
    const work = path.join(dir, 'again');
    const file = await writeNpm(work, 'repeat-me', '1.0.0');
    const first = await pushPackages(
      new FakeRuntime(),
      stepClient(new FakeRuntime(), adminConnection(server)).client,
      pushSettings(adminConnection(server), { files: [file] }),
    );
    const runtime = new FakeRuntime();
    const second = await pushPackages(
      runtime,
      stepClient(runtime, adminConnection(server)).client,
      pushSettings(adminConnection(server), { files: [file] }),
    );
    expect(second).toMatchObject({ uploaded: 0, reused: 1 });
    expect(second.packages).toEqual(first.packages);
    expect(runtime.log.join('\n')).toMatch(
      /already in acme\/dev .* with the same sha256; not uploaded again/,
    );
    expect((await listPackages(server, 'dev')).filter((p) => p.name === 'repeat-me')).toHaveLength(1);
  });

  it('fails before uploading anything when a pattern matches no file, naming the pattern', async () => {
    const work = path.join(dir, 'missing');
    const file = await writeNpm(work, 'never-sent', '1.0.0');
    const runtime = new FakeRuntime();
    await expect(
      pushPackages(
        runtime,
        stepClient(runtime, adminConnection(server)).client,
        pushSettings(adminConnection(server), { files: [file, `${work}/dist/*.whl`] }),
      ),
    ).rejects.toThrow(/^Input files: '.*\/dist\/\*\.whl' matches no file .*give one glob per line/);
    expect((await listPackages(server, 'dev')).map((p) => p.name)).not.toContain('never-sent');
  });

  it('fails before uploading anything when a raw file has no name or version, naming the input', async () => {
    const work = path.join(dir, 'raw');
    const npm = await writeNpm(work, 'raw-sibling', '1.0.0');
    const raw = writeFile(work, 'notes.txt', 'plain text');
    const runtime = new FakeRuntime();
    await expect(
      pushPackages(
        runtime,
        stepClient(runtime, adminConnection(server)).client,
        pushSettings(adminConnection(server), { files: [npm, raw], version: '1.0' }),
      ),
    ).rejects.toThrow(/^Input name is required for notes\.txt: .*raw package.*name and version inputs/);
    expect((await listPackages(server, 'dev')).map((p) => p.name)).not.toContain('raw-sibling');
  });

  it('uploads a large file in parts and prints progress lines as time passes', async () => {
    const work = path.join(dir, 'large');
    const bytes = crypto.randomBytes(600_000);
    const file = writeFile(work, 'blob.bin', bytes);
    let clock = 0;
    const runtime = new FakeRuntime();
    const result = await pushPackages(
      runtime,
      stepClient(runtime, adminConnection(server)).client,
      pushSettings(adminConnection(server), { files: [file], name: 'blob', version: '1' }),
      { multipartThreshold: 200_000, partSize: 200_000, progressIntervalMs: 1000, now: () => (clock += 400) },
    );
    const progress = runtime.log.filter((l) => l.startsWith('info: Uploading: blob.bin'));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(/blob\.bin \d+\.\d KiB of 585\.9 KiB \(\d+%\)/);
    const stored = (await listPackages(server, 'dev')).find(
      (p) => p.slug_perm === result.packages[0]!.slug_perm,
    );
    expect(stored?.checksum_sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
  });

  it('fails at once, naming the file, when a file changes between its hashing and its upload', async () => {
    const work = path.join(dir, 'changing');
    const file = writeFile(work, 'tool.bin', crypto.randomBytes(5000));
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server));
    let appended = false;
    // The step first reads its clock (for progress lines) once every file is hashed, before uploading.
    const now = () => {
      if (!appended) fs.appendFileSync(file, 'x');
      appended = true;
      return 0;
    };
    await expect(
      pushPackages(
        runtime,
        client,
        pushSettings(adminConnection(server), { files: [file], name: 'changing-tool', version: '1' }),
        { timing, now },
      ),
    ).rejects.toThrow(`${file} changed after it was hashed: it has 5001 bytes, not 5000; nothing was sent.`);
    expect(timing.waits).toEqual([]);
    expect((await listPackages(server, 'dev')).filter((p) => p.name === 'changing-tool')).toEqual([]);
  });

  it('retries creating a package after a 503, a 429 with Retry-After and a reset, and creates it once', async () => {
    const work = path.join(dir, 'flaky');
    const file = await writeNpm(work, 'flaky-widget', '2.0.0');
    proxy.fail(
      'POST',
      '/packages/acme/flaky/upload/npm/',
      { status: 503, json: { detail: 'Try again.', code: 'unavailable' } },
      { status: 429, json: { detail: 'Slow down.' }, headers: { 'retry-after': '2' } },
      { reset: true },
    );
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server, proxy.url));
    const result = await pushPackages(
      runtime,
      client,
      pushSettings(adminConnection(server, proxy.url), { repo: 'flaky', files: [file] }),
      { timing },
    );
    expect(proxy.count('POST', '/packages/acme/flaky/upload/npm/')).toBe(4);
    expect(timing.waits).toContain(2000);
    expect(runtime.log.join('\n')).toMatch(/503 unavailable — Try again\./);
    const stored = await listPackages(server, 'flaky');
    expect(stored.map((p) => p.slug_perm)).toEqual([result.packages[0]!.slug_perm]);
  });

  it('fails at once with the server detail when creating the package is refused', async () => {
    const work = path.join(dir, 'refused');
    const file = await writeNpm(work, 'refused-widget', '1.0.0');
    proxy.failAlways('POST', '/packages/acme/refused/upload/npm/', {
      status: 403,
      json: { detail: 'This account may not publish here.', code: 'permission_denied' },
    });
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server, proxy.url));
    await expect(
      pushPackages(
        runtime,
        client,
        pushSettings(adminConnection(server, proxy.url), { repo: 'refused', files: [file] }),
        { timing },
      ),
    ).rejects.toThrow(/403 permission_denied — This account may not publish here\./);
    expect(proxy.count('POST', '/packages/acme/refused/upload/npm/')).toBe(1);
    expect(timing.waits).toEqual([]);
  });
});
