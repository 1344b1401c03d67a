import fs from 'node:fs';
import { checkDestination, promotePackages, type PromoteStepOptions } from '../../src/steps/promote.js';
import { pushPackages } from '../../src/steps/push.js';
import type { PushedPackage } from '../../src/steps/types.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { api } from '../helpers/upload.js';
import {
  adminConnection,
  createRepos,
  FakeRuntime,
  listPackages,
  pushSettings,
  stepClient,
  writeNpm,
} from './step-helpers.js';

describe('the promote step against the real service', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    proxy = await startFaultProxy(server.url);
    await createRepos(server, 'dev', 'prod', 'staging', 'archive');
    dir = tempDir('airlock-promote-');
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Pushes fresh npm packages to dev. */
  const push = async (...names: string[]): Promise<PushedPackage[]> => {
    const files = await Promise.all(names.map((n) => writeNpm(dir, n, '1.0.0')));
    const runtime = new FakeRuntime();
    const { packages } = await pushPackages(
      runtime,
      stepClient(runtime, adminConnection(server)).client,
      pushSettings(adminConnection(server), { files }),
    );
    return packages;
  };

  /** Runs the step through the proxy (so requests are counted and faults injected). */
  const promote = async (options: Partial<PromoteStepOptions> & Pick<PromoteStepOptions, 'packages'>) => {
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server, proxy.url));
    const result = await promotePackages(
      runtime,
      client,
      {
        owner: 'acme',
        repo: 'dev',
        destination: 'prod',
        mode: 'copy',
        tags: [],
        quarantineOnFail: false,
        waitTimeoutSec: 30,
        gateResult: 'pass',
        retries: 3,
        ...options,
      },
      { timing },
    );
    return { runtime, result, timing };
  };

  it('copies a package that passed to the destination with its tags, and outputs what it did', async () => {
    const [pkg] = await push('copy-me');
    const { runtime, result } = await promote({ packages: [pkg!], tags: ['released', 'v1'] });
    const [record] = result.promotions;
    expect(record).toMatchObject({
      slug_perm: pkg!.slug_perm,
      status: 'promoted',
      mode: 'copy',
      destination: 'acme/prod',
    });
    const inProd = (await listPackages(server, 'prod')).find(
      (p) => p.slug_perm === record!.destination_slug_perm,
    );
    expect(Object.values(inProd!.tags).flat()).toEqual(expect.arrayContaining(['released', 'v1']));
    expect((await listPackages(server, 'dev')).map((p) => p.slug_perm)).toContain(pkg!.slug_perm);
    expect(JSON.parse(runtime.outputs.promoted!)).toEqual(result.promotions);
  });

  it('changes nothing when the same job runs again: no second copy, no tag request', async () => {
    const [pkg] = await push('rerun-me');
    const first = await promote({ packages: [pkg!], tags: ['released'] });
    const copyPath = `/packages/acme/dev/${pkg!.slug_perm}/copy/`;
    const tagPath = `/packages/acme/prod/${first.result.promotions[0]!.destination_slug_perm}/tag/`;
    expect([proxy.count('POST', copyPath), proxy.count('POST', tagPath)]).toEqual([1, 1]);

    const { result, runtime } = await promote({ packages: [pkg!], tags: ['released'] });
    expect(result.promotions[0]).toMatchObject({ status: 'unchanged' });
    expect([proxy.count('POST', copyPath), proxy.count('POST', tagPath)]).toEqual([1, 1]);
    expect((await listPackages(server, 'prod')).filter((p) => p.name === 'rerun-me')).toHaveLength(1);
    expect(runtime.log.join('\n')).toMatch(/already in acme\/prod .* with its tags; nothing changed/);
  });

  it('adds only the missing tag when a re-run asks for one more', async () => {
    const [pkg] = await push('more-tags');
    await promote({ packages: [pkg!], tags: ['a'] });
    const { result } = await promote({ packages: [pkg!], tags: ['a', 'b'] });
    expect(result.promotions[0]).toMatchObject({ status: 'promoted' });
    const inProd = (await listPackages(server, 'prod')).find((p) => p.name === 'more-tags');
    expect(inProd!.tags.info?.sort()).toEqual(['a', 'b']);
  });

  it('moves a package, and a re-run finds it already moved', async () => {
    const [pkg] = await push('move-me');
    const first = await promote({ packages: [pkg!], mode: 'move', destination: 'staging' });
    expect(first.result.promotions[0]).toMatchObject({
      status: 'promoted',
      destination_slug_perm: pkg!.slug_perm,
    });
    expect((await listPackages(server, 'dev')).map((p) => p.slug_perm)).not.toContain(pkg!.slug_perm);
    const second = await promote({ packages: [pkg!], mode: 'move', destination: 'staging' });
    expect(second.result.promotions[0]).toMatchObject({ status: 'unchanged' });
  });

  it('promotes nothing after a failed gate and quarantines only the packages that failed when asked', async () => {
    const [bad, good] = await push('bad-one', 'good-one');
    const { result } = await promote({
      packages: [bad!, good!],
      gateResult: 'fail',
      quarantineOnFail: true,
      failed: new Set([bad!.slug_perm]),
    });
    expect(result.promotions.map((p) => p.status)).toEqual(['quarantined', 'not-promoted']);
    const quarantined = await api<{ is_quarantined: boolean }>(
      server,
      'GET',
      `/packages/acme/dev/${bad!.slug_perm}/`,
    );
    expect(quarantined.body.is_quarantined).toBe(true);
    const kept = await api<{ is_quarantined: boolean }>(
      server,
      'GET',
      `/packages/acme/dev/${good!.slug_perm}/`,
    );
    expect(kept.body.is_quarantined).toBe(false);
    expect((await listPackages(server, 'prod')).map((p) => p.name)).not.toContain('good-one');

    const again = await promote({ packages: [bad!], gateResult: 'fail', quarantineOnFail: true });
    expect(again.result.promotions[0]).toMatchObject({ status: 'quarantined' });
    expect(again.runtime.log.join('\n')).toMatch(/is already quarantined/);
  });

  it('retries a copy answered 503 and then reset, and leaves exactly one copy', async () => {
    const [pkg] = await push('flaky-copy');
    const copyPath = `/packages/acme/dev/${pkg!.slug_perm}/copy/`;
    proxy.fail(
      'POST',
      copyPath,
      { status: 503, json: { detail: 'Busy.', code: 'unavailable' } },
      { reset: true },
    );
    const { result, runtime } = await promote({ packages: [pkg!], destination: 'archive' });
    expect(result.promotions[0]).toMatchObject({ status: 'promoted' });
    expect(proxy.count('POST', copyPath)).toBe(3);
    expect(runtime.log.join('\n')).toMatch(
      /Promoting flaky-copy 1\.0\.0 to acme\/archive failed .*503 unavailable — Busy\./,
    );
    expect((await listPackages(server, 'archive')).filter((p) => p.name === 'flaky-copy')).toHaveLength(1);
  });

  it('retries a copy throttled with Retry-After and waits as long as asked', async () => {
    const [pkg] = await push('throttled-copy');
    const copyPath = `/packages/acme/dev/${pkg!.slug_perm}/copy/`;
    proxy.fail('POST', copyPath, {
      status: 429,
      json: { detail: 'Slow down.' },
      headers: { 'retry-after': '3' },
    });
    const { result, timing } = await promote({ packages: [pkg!], destination: 'archive' });
    expect(result.promotions[0]).toMatchObject({ status: 'promoted' });
    expect(timing.waits).toContain(3000);
  });

  it('fails at once with the server detail when the copy is refused', async () => {
    const [pkg] = await push('refused-copy');
    const copyPath = `/packages/acme/dev/${pkg!.slug_perm}/copy/`;
    proxy.failAlways('POST', copyPath, {
      status: 403,
      json: { detail: 'Promotion to prod needs approval.', code: 'permission_denied' },
    });
    await expect(promote({ packages: [pkg!] })).rejects.toThrow(
      /403 permission_denied — Promotion to prod needs approval\./,
    );
    expect(proxy.count('POST', copyPath)).toBe(1);
  });

  it('names the destination input and the repositories that exist when the destination does not', async () => {
    const runtime = new FakeRuntime();
    const { client } = stepClient(runtime, adminConnection(server));
    await expect(checkDestination(client, 'acme', 'prdo')).rejects.toThrow(
      /^Input destination: repository 'acme\/prdo' does not exist.*Repositories this credential can see in acme: .*prod/,
    );
    await expect(checkDestination(client, 'acme', 'prod')).resolves.toBeUndefined();
  });
});
