import fs from 'node:fs';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runAction } from '../helpers/runner.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { createRepos, listPackages, writeNpm, writeWheel } from '../steps/step-helpers.js';
import { logsBesidesMasks, NODES, requireBundle } from './actions-support.js';

describe('the push action, run as a runner runs it', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let dir: string;

  beforeAll(async () => {
    requireBundle('push');
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    proxy = await startFaultProxy(server.url);
    await createRepos(server, 'dev', 'flaky', 'locked');
    dir = tempDir('airlock-e2e-push-');
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The environment an earlier auth step leaves: the API and its (masked) credential. */
  const authed = (url = server.url) => ({ AIRLOCK_API_URL: url, AIRLOCK_API_KEY: server.adminKey });

  describe.each(NODES)('under %s', (label, node) => {
    it('pushes an npm tarball and a wheel, outputs them and exports them, never printing the key', async () => {
      const tag = label.replace(/\W+/g, '-');
      const npm = await writeNpm(dir, `e2e-widget-${tag}`, '1.0.0');
      const whl = await writeWheel(dir, `e2e_snake${tag.replace(/-/g, '_')}`, '1.0.0');
      const run = await runAction({
        action: 'push/action.yml',
        node,
        inputs: { owner: 'acme', repo: 'dev', files: `${npm}\n${whl}`, tags: 'ci' },
        env: authed(),
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const packages = JSON.parse(run.outputs.packages!) as {
        slug_perm: string;
        format: string;
        filename: string;
      }[];
      expect(packages.map((p) => [p.filename, p.format])).toEqual([
        [npm.split('/').pop(), 'npm'],
        [whl.split('/').pop(), 'python'],
      ]);
      const stored = (await listPackages(server, 'dev')).map((p) => p.slug_perm);
      expect(stored).toEqual(expect.arrayContaining(packages.map((p) => p.slug_perm)));
      expect(run.exported).toEqual({
        AIRLOCK_PACKAGES: run.outputs.packages,
        AIRLOCK_OWNER: 'acme',
        AIRLOCK_REPO: 'dev',
      });
      expect(run.stdout).toContain(`::add-mask::${server.adminKey}`);
      expect(logsBesidesMasks(run)).not.toContain(server.adminKey);
    });
  });

  it('fails at once, naming the pattern, when a glob matches no file', async () => {
    const run = await runAction({
      action: 'push/action.yml',
      inputs: { owner: 'acme', repo: 'dev', files: `${dir}/missing/*.tgz` },
      env: authed(),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::Input files: '.*\/missing\/\*\.tgz' matches no file/m);
    expect(run.outputs).toEqual({});
  });

  it('retries a create answered 503, then 429 with Retry-After, then a reset, and creates one package', async () => {
    const npm = await writeNpm(dir, 'e2e-flaky', '1.0.0');
    const create = '/packages/acme/flaky/upload/npm/';
    proxy.fail(
      'POST',
      create,
      { status: 503, json: { detail: 'Maintenance.', code: 'unavailable' } },
      { status: 429, json: { detail: 'Slow down.' }, headers: { 'retry-after': '1' } },
      { reset: true },
    );
    const run = await runAction({
      action: 'push/action.yml',
      inputs: { owner: 'acme', repo: 'flaky', files: npm },
      env: authed(proxy.url),
    });
    expect(run.code).toBe(0);
    expect(proxy.count('POST', create)).toBe(4);
    expect(run.stdout).toMatch(
      /Pushing e2e-flaky-1\.0\.0\.tgz failed \(.*503 unavailable — Maintenance\.\); retry 1 of 3/,
    );
    expect(await listPackages(server, 'flaky')).toHaveLength(1);
  });

  it('fails at once with the server detail when the repository refuses the package', async () => {
    const npm = await writeNpm(dir, 'e2e-locked', '1.0.0');
    const create = '/packages/acme/locked/upload/npm/';
    proxy.failAlways('POST', create, {
      status: 403,
      json: { detail: 'The repository is locked for a release.', code: 'permission_denied' },
    });
    const run = await runAction({
      action: 'push/action.yml',
      inputs: { owner: 'acme', repo: 'locked', files: npm },
      env: authed(proxy.url),
    });
    expect(run.code).toBe(1);
    expect(proxy.count('POST', create)).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::.*403 permission_denied — The repository is locked for a release\./m,
    );
  });
});
