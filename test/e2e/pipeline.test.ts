import fs from 'node:fs';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import {
  findVulnerableDependency,
  importNpmAdvisories,
  npmAppTarball,
  type VulnerableDependency,
} from '../fixtures/actions/vulnerable-npm.js';
import { runAction, type ActionRun } from '../helpers/runner.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { api } from '../helpers/upload.js';
import { createRepos, listPackages, writeFile } from '../steps/step-helpers.js';
import {
  GITHUB_TOKEN,
  logsBesidesMasks,
  NODES,
  PR_HEAD,
  requireBundle,
  runnerEnv,
  startGitHubStandIn,
  type GitHubStandIn,
} from './actions-support.js';

describe('the whole pipeline in one step, run as a runner runs it', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let github: GitHubStandIn;
  let dir: string;
  let dep: VulnerableDependency;
  let serviceSlug: string;

  beforeAll(async () => {
    requireBundle('pipeline');
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    issuer = await startDevIssuer();
    github = await startGitHubStandIn();
    await importNpmAdvisories(server.ctx.db);
    dep = await findVulnerableDependency(server.ctx.db);
    await createRepos(server, 'dev', 'prod');
    const service = await api<{ slug: string }>(server, 'POST', '/orgs/acme/services/', {
      name: 'release-bot',
      role: 'Member',
    });
    serviceSlug = service.body.slug;
    const grant = await api(server, 'PATCH', '/repos/acme/dev/privileges', {
      privileges: [{ privilege: 'Admin', service: serviceSlug }],
    });
    expect(grant.status).toBe(204);
    await api(server, 'PATCH', '/repos/acme/prod/privileges', {
      privileges: [{ privilege: 'Write', service: serviceSlug }],
    });
    const provider = await api(server, 'POST', '/orgs/acme/openid-connect/', {
      name: 'Local Actions',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository: 'owner/repo' },
      service_accounts: [serviceSlug],
    });
    expect(provider.status).toBe(201);
    dir = tempDir('airlock-e2e-pipeline-');
  });
  afterAll(async () => {
    await github.close();
    await issuer.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pipeline = (inputs: Record<string, string>, node?: string) =>
    runAction({
      action: 'action.yml',
      node,
      inputs: {
        'api-url': server.url,
        org: 'acme',
        'service-slug': serviceSlug,
        repo: 'dev',
        destination: 'prod',
        'wait-timeout': '60s',
        'github-token': GITHUB_TOKEN,
        matrix: 'null',
        ...inputs,
      },
      env: {
        ...runnerEnv(github, dir),
        ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsTokenUrl,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsToken,
      },
    });
  const noTokens = (run: ActionRun) => {
    const logs = logsBesidesMasks(run);
    expect(run.outputs.token).toBeTruthy();
    expect(logs).not.toContain(run.outputs.token!);
    expect(logs).not.toContain(GITHUB_TOKEN);
    // Neither the repository token nor the ID token (both JWTs) shows anywhere.
    expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  };

  describe.each(NODES)('under %s', (label, node) => {
    it('authenticates through OIDC, pushes, judges and promotes a clean package, and reports it', async () => {
      const name = `pipeline-ok-${label.replace(/\W+/g, '-')}`;
      const file = writeFile(dir, `${name}-1.0.0.tgz`, await npmAppTarball(name, '1.0.0'));
      const checksBefore = github.server.calls('POST', '/repos/acme/web/check-runs').length;
      const run = await pipeline({ files: file, tags: 'candidate' }, node);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ result: 'pass', high: '0', critical: '0' });
      expect(JSON.parse(run.outputs.promoted!)).toEqual([
        expect.objectContaining({ status: 'promoted', destination: 'acme/prod' }),
      ]);
      expect((await listPackages(server, 'prod')).map((p) => p.name)).toContain(name);
      expect(run.summary).toMatch(/Copied to `acme\/prod` with tags `candidate`/);
      const checks = github.bodies<{ head_sha: string; conclusion: string }>(
        'POST',
        '/repos/acme/web/check-runs',
      );
      expect(checks.slice(checksBefore)).toEqual([
        expect.objectContaining({ head_sha: PR_HEAD, conclusion: 'success' }),
      ]);
      noTokens(run);
    });
  });

  it('fails on a vulnerable dependency, quarantines the package and promotes nothing', async () => {
    const file = writeFile(dir, 'pipeline-bad-1.0.0.tgz', await npmAppTarball('pipeline-bad', '1.0.0', dep));
    const run = await pipeline({ files: file, 'quarantine-on-fail': 'true' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::The gate failed: pipeline-bad 1\.0\.0 has/m);
    const [pushed] = JSON.parse(run.outputs.packages!) as { slug_perm: string }[];
    const stored = await api<{ is_quarantined: boolean }>(
      server,
      'GET',
      `/packages/acme/dev/${pushed!.slug_perm}/`,
    );
    expect(stored.body.is_quarantined).toBe(true);
    expect((await listPackages(server, 'prod')).map((p) => p.name)).not.toContain('pipeline-bad');
    expect(run.summary).toContain(dep.ids[0]!);
    expect(run.summary).toContain('Quarantined (it failed the gate).');
    noTokens(run);
  });

  it('fails before pushing anything when the destination does not exist', async () => {
    const file = writeFile(dir, 'pipeline-early-1.0.0.tgz', await npmAppTarball('pipeline-early', '1.0.0'));
    const run = await pipeline({ files: file, destination: 'staging' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error::Input destination: repository 'acme\/staging' does not exist/m);
    expect((await listPackages(server, 'dev')).map((p) => p.name)).not.toContain('pipeline-early');
  });
});
