import fs from 'node:fs';
import { commentMarker } from '../../src/report/pr-comment.js';
import { resolveGateSettings } from '../../src/policy/settings.js';
import { runGate } from '../../src/steps/gate.js';
import { pushPackages } from '../../src/steps/push.js';
import type { PushedPackage } from '../../src/steps/types.js';
import { importNpmAdvisories } from '../fixtures/actions/vulnerable-npm.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { runAction } from '../helpers/runner.js';
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
} from '../steps/step-helpers.js';
import {
  GITHUB_TOKEN,
  logsBesidesMasks,
  NODES,
  requireBundle,
  runnerEnv,
  startGitHubStandIn,
  type GitHubStandIn,
} from './actions-support.js';

describe('the promote action, run as a runner runs it', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let github: GitHubStandIn;
  let dir: string;

  beforeAll(async () => {
    requireBundle('promote');
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    proxy = await startFaultProxy(server.url);
    github = await startGitHubStandIn();
    await createRepos(server, 'dev', 'prod');
    // The gate fails closed on advisory data it never loaded.
    await importNpmAdvisories(server.ctx.db);
    dir = tempDir('airlock-e2e-promote-');
  });
  afterAll(async () => {
    await github.close();
    await proxy.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const push = async (name: string): Promise<PushedPackage> => {
    const runtime = new FakeRuntime();
    const { packages } = await pushPackages(
      runtime,
      stepClient(runtime, adminConnection(server)).client,
      pushSettings(adminConnection(server), { files: [await writeNpm(dir, name, '1.0.0')] }),
    );
    return packages[0]!;
  };
  /** The job's environment after auth, push and gate steps. */
  const jobEnv = (pkg: PushedPackage, gateResult: string, url = server.url) => ({
    ...runnerEnv(github, dir),
    AIRLOCK_API_URL: url,
    AIRLOCK_API_KEY: server.adminKey,
    AIRLOCK_OWNER: 'acme',
    AIRLOCK_REPO: 'dev',
    AIRLOCK_PACKAGES: JSON.stringify([pkg]),
    AIRLOCK_GATE_RESULT: gateResult,
  });
  const promote = (env: Record<string, string>, inputs: Record<string, string> = {}, node?: string) =>
    runAction({
      action: 'promote/action.yml',
      node,
      inputs: { destination: 'prod', 'github-token': GITHUB_TOKEN, matrix: 'null', ...inputs },
      env,
    });

  describe.each(NODES)('under %s', (label, node) => {
    it('copies a package that passed with its tags, and changes nothing when the job runs again', async () => {
      const pkg = await push(`ship-it-${label.replace(/\W+/g, '-')}`);
      const first = await promote(jobEnv(pkg, 'pass'), { tags: 'released' }, node);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const [record] = JSON.parse(first.outputs.promoted!) as {
        status: string;
        destination_slug_perm: string;
      }[];
      expect(record).toMatchObject({ status: 'promoted' });
      const prod = (await listPackages(server, 'prod')).filter((p) => p.name === pkg.name);
      expect(prod.map((p) => [p.slug_perm, p.tags.info])).toEqual([
        [record!.destination_slug_perm, ['released']],
      ]);
      expect(first.summary).toContain('Copied to `acme/prod` with tags `released`');

      const second = await promote(jobEnv(pkg, 'pass'), { tags: 'released' }, node);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.outputs.promoted!)).toEqual([
        expect.objectContaining({ status: 'unchanged' }),
      ]);
      expect((await listPackages(server, 'prod')).filter((p) => p.name === pkg.name)).toHaveLength(1);
      expect(logsBesidesMasks(second)).not.toContain(server.adminKey);
    });
  });

  it('fails at once, naming the input, when the destination does not exist', async () => {
    const pkg = await push('nowhere-to-go');
    const run = await promote(jobEnv(pkg, 'pass'), { destination: 'prodution' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::Input destination: repository 'acme\/prodution' does not exist.*: dev, prod\./m,
    );
  });

  it('quarantines a package that failed the gate and promotes nothing', async () => {
    const pkg = await push('held-back');
    const run = await promote(jobEnv(pkg, 'fail'), { 'quarantine-on-fail': 'true' });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.promoted!)).toEqual([expect.objectContaining({ status: 'quarantined' })]);
    const stored = await api<{ is_quarantined: boolean }>(
      server,
      'GET',
      `/packages/acme/dev/${pkg.slug_perm}/`,
    );
    expect(stored.body.is_quarantined).toBe(true);
    expect((await listPackages(server, 'prod')).map((p) => p.name)).not.toContain('held-back');
  });

  it('retries a copy answered 503, then 429 with Retry-After, then reset, and copies once', async () => {
    const pkg = await push('bumpy-road');
    const copy = `/packages/acme/dev/${pkg.slug_perm}/copy/`;
    proxy.fail(
      'POST',
      copy,
      { status: 503, json: { detail: 'Maintenance.', code: 'unavailable' } },
      { status: 429, json: { detail: 'Slow down.' }, headers: { 'retry-after': '1' } },
      { reset: true },
    );
    const run = await promote(jobEnv(pkg, 'pass', proxy.url));
    expect(run.code).toBe(0);
    expect(proxy.count('POST', copy)).toBe(4);
    expect((await listPackages(server, 'prod')).filter((p) => p.name === 'bumpy-road')).toHaveLength(1);
  });

  it('fails at once with the server detail when the copy is refused', async () => {
    const pkg = await push('not-allowed');
    const copy = `/packages/acme/dev/${pkg.slug_perm}/copy/`;
    proxy.failAlways('POST', copy, {
      status: 403,
      json: { detail: 'Only release managers may promote to prod.', code: 'permission_denied' },
    });
    const run = await promote(jobEnv(pkg, 'pass', proxy.url));
    expect(run.code).toBe(1);
    expect(proxy.count('POST', copy)).toBe(1);
    expect(run.stdout).toMatch(
      /^::error::.*403 permission_denied — Only release managers may promote to prod\./m,
    );
  });

  it("adds what it promoted to the gate's pull-request comment when the gate ran earlier in the job", async () => {
    const pkg = await push('after-the-gate');
    const runtime = new FakeRuntime();
    const gate = await runGate(runtime, stepClient(runtime, adminConnection(server)).client, {
      owner: 'acme',
      repo: 'dev',
      packages: [pkg],
      waitTimeoutSec: 60,
      rules: resolveGateSettings(),
      outputDir: dir,
    });
    const run = await promote({
      ...jobEnv(pkg, gate.verdict.result),
      AIRLOCK_GATE_FINDINGS: gate.findingsPath,
    });
    expect(run.code).toBe(0);
    const mine = github.comments.find((c) => c.body.startsWith(commentMarker('CI/build')));
    expect(mine?.body).toContain('Copied to `acme/prod`');
    expect(github.server.calls('POST', '/repos/acme/web/check-runs')).toHaveLength(0);
  });
});
