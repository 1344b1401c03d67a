import fs from 'node:fs';
import { readPipelineSettings } from '../../src/config/pipeline.js';
import { runPipeline } from '../../src/steps/pipeline.js';
import { runPipelineAction } from '../../src/steps/run.js';
import {
  findVulnerableDependency,
  importNpmAdvisories,
  npmAppTarball,
  type VulnerableDependency,
} from '../fixtures/actions/vulnerable-npm.js';
import { fakeTiming } from '../helpers/scripted-server.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { api } from '../helpers/upload.js';
import { createRepos, FakeRuntime, listPackages, writeFile } from './step-helpers.js';

describe('the pipeline step against the real service', () => {
  let server: TestServer;
  let proxy: FaultProxy;
  let dir: string;
  let dep: VulnerableDependency;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    proxy = await startFaultProxy(server.url);
    await importNpmAdvisories(server.ctx.db);
    dep = await findVulnerableDependency(server.ctx.db);
    await createRepos(server, 'dev', 'prod');
    dir = tempDir('airlock-pipeline-');
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A runtime with the root action's inputs (its defaults, then `inputs`). */
  const runtimeWith = (inputs: Record<string, string>) =>
    new FakeRuntime({
      inputs: {
        'api-url': server.url,
        'api-key': server.adminKey,
        owner: 'acme',
        repo: 'dev',
        'wait-timeout': '60s',
        'github-token': '',
        ...inputs,
      },
      env: { RUNNER_TEMP: dir },
    });
  const summaryOf = (runtime: FakeRuntime) =>
    runtime.events.flatMap((e) => (e.kind === 'summary' ? [e.markdown] : [])).join('\n');

  it('pushes, judges and promotes a clean package in one step, and reports the promotion', async () => {
    const file = writeFile(dir, 'tidy-app-1.0.0.tgz', await npmAppTarball('tidy-app', '1.0.0'));
    const runtime = runtimeWith({ files: file, destination: 'prod', tags: 'candidate' });
    const result = await runPipeline(runtime, await readPipelineSettings(runtime), { timing: fakeTiming() });

    expect(result.gate.verdict.result).toBe('pass');
    expect(result.promotions).toEqual([
      expect.objectContaining({ status: 'promoted', destination: 'acme/prod' }),
    ]);
    const prod = (await listPackages(server, 'prod')).find((p) => p.name === 'tidy-app');
    expect(prod?.tags.info).toEqual(['candidate']);
    expect(runtime.outputs).toMatchObject({ result: 'pass', packages: expect.stringContaining('tidy-app') });
    expect(JSON.parse(runtime.outputs.promoted!)).toHaveLength(1);
    expect(summaryOf(runtime)).toMatch(/Copied to `acme\/prod` with tags `candidate`/);
    expect(result.report.skipped).toMatch(/not running in GitHub Actions/);
  });

  it('fails a vulnerable package, quarantines it, promotes nothing, and says why', async () => {
    const file = writeFile(dir, 'leaky-app-1.0.0.tgz', await npmAppTarball('leaky-app', '1.0.0', dep));
    const runtime = runtimeWith({ files: file, destination: 'prod', 'quarantine-on-fail': 'true' });
    const { failure } = await runPipelineAction(runtime, await readPipelineSettings(runtime), {
      timing: fakeTiming(),
    });

    expect(failure).toMatch(/^The gate failed: leaky-app 1\.0\.0 has \d+ (high|critical) findings?/);
    expect((await listPackages(server, 'prod')).map((p) => p.name)).not.toContain('leaky-app');
    const [pushed] = JSON.parse(runtime.outputs.packages!) as { slug_perm: string }[];
    const inDev = await api<{ is_quarantined: boolean }>(
      server,
      'GET',
      `/packages/acme/dev/${pushed!.slug_perm}/`,
    );
    expect(inDev.body.is_quarantined).toBe(true);
    expect(summaryOf(runtime)).toContain(dep.ids[0]!);
    expect(summaryOf(runtime)).toMatch(/Quarantined \(it failed the gate\)/);
  });

  it('fails before pushing anything when the destination does not exist, naming the input', async () => {
    const file = writeFile(dir, 'early-app-1.0.0.tgz', await npmAppTarball('early-app', '1.0.0'));
    const runtime = runtimeWith({ files: file, destination: 'production' });
    await expect(runPipeline(runtime, await readPipelineSettings(runtime))).rejects.toThrow(
      /^Input destination: repository 'acme\/production' does not exist/,
    );
    expect((await listPackages(server, 'dev')).map((p) => p.name)).not.toContain('early-app');
  });

  it('still publishes the report when the promotion is refused, then fails with the server detail', async () => {
    const file = writeFile(dir, 'blocked-app-1.0.0.tgz', await npmAppTarball('blocked-app', '1.0.0'));
    const runtime = runtimeWith({ files: file, destination: 'prod', 'api-url': proxy.url });
    const settings = await readPipelineSettings(runtime);
    proxy.failAlways('GET', '/packages/acme/prod/', {
      status: 403,
      json: { detail: 'Reading prod is not allowed.', code: 'permission_denied' },
    });
    await expect(runPipeline(runtime, settings, { timing: fakeTiming() })).rejects.toThrow(
      /403 permission_denied — Reading prod is not allowed\./,
    );
    expect(summaryOf(runtime)).toMatch(/Promotion failed: .*Reading prod is not allowed\./);
  });
});
