import fs from 'node:fs';
import { readPipelineSettings } from '../../src/config/pipeline.js';
import { readPromoteSettings } from '../../src/config/promote.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { promotePackages, PROMOTION_REFUSED_CODE } from '../../src/steps/promote.js';
import { pushPackages } from '../../src/steps/push.js';
import { runPipelineAction, runPromoteAction } from '../../src/steps/run.js';
import type { PushedPackage } from '../../src/steps/types.js';
import { ERROR_CODES } from '../../src/server/domain/errors.js';
import { runAirlock } from '../cli/cli-harness.js';
import { importNpmAdvisories, npmAppTarball } from '../fixtures/actions/vulnerable-npm.js';
import { fakeTiming } from '../helpers/scripted-server.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { api, createAccount } from '../helpers/upload.js';
import {
  adminConnection,
  createRepos,
  FakeRuntime,
  listPackages,
  pushSettings,
  stepClient,
  writeFile,
  writeNpm,
} from './step-helpers.js';

describe('promotion into a repository with promotion rules, through the steps and the CLI', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let dir: string;
  let counter = 0;

  beforeAll(async () => {
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    issuer = await startDevIssuer({ claims: { repository: 'acme/app', repository_owner: 'acme' } });
    // The gate judges only what advisory data covers.
    await importNpmAdvisories(server.ctx.db);
    await createRepos(server, 'dev', 'prod');
    // The CI account may write to prod: the rules, not a privilege, keep feature builds out.
    await createAccount(server, 'ci', { dev: 'Write', prod: 'Write' });
    const provider = await api(server, 'POST', '/orgs/acme/openid-connect/', {
      name: 'Local CI',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository_owner: 'acme' },
      service_accounts: ['ci'],
    });
    expect(provider.status).toBe(201);
    const rules = await api(server, 'PATCH', '/repos/acme/prod/', {
      promotion_rules: { repository: 'acme/app', ref: 'refs/heads/main' },
    });
    expect(rules.status).toBe(200);
    dir = tempDir('airlock-promote-rules-');
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await issuer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The short-lived token a CI run on `ref` gets from the OIDC exchange. */
  const ciToken = async (ref: string): Promise<string> => {
    const res = await api<{ token: string }>(server, 'POST', '/openid/acme/', {
      oidc_token: await issuer.sign({ ref }),
      service_slug: 'ci',
    });
    expect(res.status).toBe(200);
    return res.body.token;
  };

  /** Pushes a fresh npm package to dev as a CI run on `ref` would. */
  const pushFrom = async (ref: string): Promise<PushedPackage> => {
    counter += 1;
    const connection = { ...adminConnection(server), apiKey: await ciToken(ref) };
    const runtime = new FakeRuntime();
    const { packages } = await pushPackages(
      runtime,
      stepClient(runtime, connection).client,
      pushSettings(connection, { files: [await writeNpm(dir, `app-${counter}`, '1.0.0')] }),
    );
    return packages[0]!;
  };

  const summaryOf = (runtime: FakeRuntime) =>
    runtime.events.flatMap((e) => (e.kind === 'summary' ? [e.markdown] : [])).join('\n');

  it('uses an error code the service catalogue has', () => {
    expect(ERROR_CODES).toContain(PROMOTION_REFUSED_CODE);
  });

  it('reports a feature-branch build as refused with the rule, while the build from main is promoted, with the admin key', async () => {
    const feature = await pushFrom('refs/heads/feature');
    const main = await pushFrom('refs/heads/main');
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server));
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
        packages: [feature, main],
        retries: 3,
      },
      { timing },
    );
    expect(result.promotions).toEqual([
      expect.objectContaining({
        slug_perm: feature.slug_perm,
        status: 'not-promoted',
        refused: true,
        detail: expect.stringMatching(
          /^acme\/prod refused it: .*ref = 'refs\/heads\/main'.*'refs\/heads\/feature'/,
        ),
      }),
      expect.objectContaining({ slug_perm: main.slug_perm, status: 'promoted' }),
    ]);
    expect(result.refusals).toEqual([
      expect.stringMatching(new RegExp(`^${feature.name} 1\\.0\\.0 was not promoted`)),
    ]);
    const prod = (await listPackages(server, 'prod')).map((p) => p.name);
    expect(prod).toContain(main.name);
    expect(prod).not.toContain(feature.name);
  });

  it('moves are refused the same way, and the package stays where it was', async () => {
    const feature = await pushFrom('refs/heads/feature');
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server));
    const result = await promotePackages(
      runtime,
      client,
      {
        owner: 'acme',
        repo: 'dev',
        destination: 'prod',
        mode: 'move',
        tags: [],
        quarantineOnFail: false,
        waitTimeoutSec: 30,
        gateResult: 'pass',
        packages: [feature],
        retries: 3,
      },
      { timing },
    );
    expect(result.promotions[0]).toMatchObject({ status: 'not-promoted', refused: true, mode: 'move' });
    expect((await listPackages(server, 'dev')).map((p) => p.slug_perm)).toContain(feature.slug_perm);
  });

  it('fails the promote action as a failed gate that names the rule, and says so in the summary', async () => {
    const feature = await pushFrom('refs/heads/feature');
    const runtime = new FakeRuntime({
      inputs: { destination: 'prod', 'github-token': '' },
      env: {
        RUNNER_TEMP: dir,
        AIRLOCK_API_URL: server.url,
        AIRLOCK_API_KEY: server.adminKey,
        AIRLOCK_OWNER: 'acme',
        AIRLOCK_REPO: 'dev',
        AIRLOCK_PACKAGES: JSON.stringify([feature]),
        AIRLOCK_GATE_RESULT: 'pass',
      },
    });
    const { failure } = await runPromoteAction(runtime, readPromoteSettings(runtime), {
      timing: fakeTiming(),
    });
    expect(failure).toMatch(
      /^The gate failed: .*was not promoted: acme\/prod refused it: .*refs\/heads\/main/,
    );
    expect(summaryOf(runtime)).toMatch(/Not promoted: acme\/prod refused it: .*'refs\/heads\/feature'/);
  });

  it('exits 2 from airlock promote, with the reason in the result', async () => {
    const feature = await pushFrom('refs/heads/feature');
    const cwd = tempDir('airlock-promote-rules-cli-');
    try {
      const run = await runAirlock(['promote', '--destination', 'prod', '--json'], {
        cwd,
        env: {
          AIRLOCK_API_URL: server.url,
          AIRLOCK_API_KEY: server.adminKey,
          AIRLOCK_OWNER: 'acme',
          AIRLOCK_REPO: 'dev',
          AIRLOCK_PACKAGES: JSON.stringify([feature]),
          AIRLOCK_GATE_RESULT: 'pass',
        },
      });
      expect(run.stderr).toMatch(/Not promoting app-\d+ 1\.0\.0: acme\/prod refused it/);
      expect(run.code).toBe(2);
      expect(run.json).toMatchObject({
        ok: false,
        exitCode: 2,
        summary: expect.stringMatching(/^The gate failed: .*refused it/),
        promoted: [expect.objectContaining({ status: 'not-promoted', refused: true })],
      });
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('turns the pipeline red when the build it pushed may not enter the destination', async () => {
    const runtime = new FakeRuntime({
      inputs: {
        'api-url': server.url,
        'api-key': await ciToken('refs/heads/feature'),
        owner: 'acme',
        repo: 'dev',
        files: writeFile(dir, 'pipeline-app-1.0.0.tgz', await npmAppTarball('pipeline-app', '1.0.0')),
        destination: 'prod',
        'wait-timeout': '60s',
        // Advisory freshness is another matter: this job is about where the build came from.
        'on-incomplete': 'pass',
        'github-token': '',
      },
      env: { RUNNER_TEMP: dir },
    });
    const { failure } = await runPipelineAction(runtime, await readPipelineSettings(runtime), {
      timing: fakeTiming(),
    });
    expect(failure).toMatch(
      /^The gate failed: .*pipeline-app 1\.0\.0 was not promoted: acme\/prod refused it/,
    );
    expect(runtime.outputs.result).toBe('fail');
    expect(summaryOf(runtime)).toMatch(/refs\/heads\/main/);
    expect((await listPackages(server, 'prod')).map((p) => p.name)).not.toContain('pipeline-app');
  });
});
