import fs from 'node:fs';
import path from 'node:path';
import { commentMarker } from '../../src/report/pr-comment.js';
import { pushPackages } from '../../src/steps/push.js';
import type { PushedPackage } from '../../src/steps/types.js';
import {
  findVulnerableDependency,
  importNpmAdvisories,
  npmAppTarball,
  type VulnerableDependency,
} from '../fixtures/actions/vulnerable-npm.js';
import { runAction, type ActionRun } from '../helpers/runner.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  adminConnection,
  createRepos,
  FakeRuntime,
  pushSettings,
  stepClient,
  writeFile,
} from '../steps/step-helpers.js';
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

interface CheckRunBody {
  name: string;
  head_sha: string;
  conclusion: string;
  output: { title: string; annotations: { path: string; annotation_level: string }[] };
}

describe('the gate action, run as a runner runs it', () => {
  let server: TestServer;
  let dir: string;
  let dep: VulnerableDependency;
  let clean: PushedPackage;
  let vulnerable: PushedPackage;

  beforeAll(async () => {
    requireBundle('gate');
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    await importNpmAdvisories(server.ctx.db);
    dep = await findVulnerableDependency(server.ctx.db);
    await createRepos(server, 'dev');
    dir = tempDir('airlock-e2e-gate-');
    const files = [
      writeFile(dir, 'calm-app-1.0.0.tgz', await npmAppTarball('calm-app', '1.0.0')),
      writeFile(dir, 'shaky-app-1.0.0.tgz', await npmAppTarball('shaky-app', '1.0.0', dep)),
    ];
    const runtime = new FakeRuntime();
    const pushed = await pushPackages(
      runtime,
      stepClient(runtime, adminConnection(server)).client,
      pushSettings(adminConnection(server), { files }),
    );
    [clean, vulnerable] = pushed.packages as [PushedPackage, PushedPackage];
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The environment after auth and push steps, on a pull_request run. */
  const jobEnv = (github: GitHubStandIn, packages: PushedPackage[], event = 'pull_request') => ({
    ...runnerEnv(github, dir, event),
    AIRLOCK_API_URL: server.url,
    AIRLOCK_API_KEY: server.adminKey,
    AIRLOCK_OWNER: 'acme',
    AIRLOCK_REPO: 'dev',
    AIRLOCK_PACKAGES: JSON.stringify(packages),
    // The runner's temporary folder outlives the step, so the output files can be read after it.
    RUNNER_TEMP: dir,
  });
  const gate = (
    github: GitHubStandIn,
    packages: PushedPackage[],
    inputs: Record<string, string> = {},
    node?: string,
  ) =>
    runAction({
      action: 'gate/action.yml',
      node,
      inputs: { 'github-token': GITHUB_TOKEN, matrix: 'null', 'wait-timeout': '60s', ...inputs },
      env: jobEnv(github, packages),
    });
  const noSecrets = (run: ActionRun) => {
    const logs = logsBesidesMasks(run);
    expect(logs).not.toContain(server.adminKey);
    expect(logs).not.toContain(GITHUB_TOKEN);
  };

  describe.each(NODES)('under %s', (_label, node) => {
    let github: GitHubStandIn;
    beforeEach(async () => {
      github = await startGitHubStandIn();
    });
    afterEach(() => github.close());

    it('passes a clean package: outputs, files, job summary, check run on the PR head and the job comment', async () => {
      const run = await gate(github, [clean], {}, node);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({
        result: 'pass',
        critical: '0',
        high: '0',
        medium: '0',
        low: '0',
        unknown: '0',
      });
      expect(JSON.parse(fs.readFileSync(run.outputs.findings!, 'utf8'))).toMatchObject({ result: 'pass' });
      expect(JSON.parse(fs.readFileSync(run.outputs.sarif!, 'utf8'))).toMatchObject({ version: '2.1.0' });
      expect(run.exported).toMatchObject({
        AIRLOCK_GATE_RESULT: 'pass',
        AIRLOCK_GATE_FINDINGS: run.outputs.findings,
      });
      expect(run.summary).toMatch(/^## Airlock gate: ✅ passed/);
      const [check] = github.bodies<CheckRunBody>('POST', '/repos/acme/web/check-runs');
      expect(check).toMatchObject({ name: 'Airlock gate', head_sha: PR_HEAD, conclusion: 'success' });
      expect(github.comments).toHaveLength(1);
      expect(github.comments[0]!.body.startsWith(commentMarker('CI/build'))).toBe(true);
      const auth = github.server.calls('POST', '/repos/acme/web/check-runs')[0]!.headers.authorization;
      expect(auth).toBe(`token ${GITHUB_TOKEN}`);
      noSecrets(run);
    });

    it('fails a package with a vulnerable dependency: the step fails, the check run and comment say why', async () => {
      const run = await gate(github, [clean, vulnerable], {}, node);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /^::error::The gate failed: shaky-app 1\.0\.0 has \d+ (high|critical) finding/m,
      );
      expect(run.outputs.result).toBe('fail');
      expect(run.summary).toContain(dep.ids[0]!);
      expect(run.summary).toContain(dep.fixedVersion);
      const [check] = github.bodies<CheckRunBody>('POST', '/repos/acme/web/check-runs');
      expect(check!.conclusion).toBe('failure');
      expect(check!.output.annotations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'package-lock.json', annotation_level: 'failure' }),
        ]),
      );
      expect(github.comments[0]!.body).toContain(dep.ids[0]!);
      noSecrets(run);
    });
  });

  describe('on GitHub', () => {
    let github: GitHubStandIn;
    beforeEach(async () => {
      github = await startGitHubStandIn();
    });
    afterEach(() => github.close());

    it('updates its one comment in place when the job runs again, and keeps matrix jobs apart', async () => {
      await gate(github, [clean]);
      await gate(github, [clean, vulnerable]);
      expect(github.comments).toHaveLength(1);
      expect(
        github.server.calls('PATCH', `/repos/acme/web/issues/comments/${github.comments[0]!.id}`),
      ).toHaveLength(1);
      expect(github.comments[0]!.body).toContain('❌ failed');

      await gate(github, [clean], { matrix: '{"node":"24"}' });
      expect(github.comments).toHaveLength(2);
      expect(github.comments[1]!.body.startsWith(commentMarker('CI/build[node=24]'))).toBe(true);
      const names = github.bodies<CheckRunBody>('POST', '/repos/acme/web/check-runs').map((c) => c.name);
      expect(names.at(-1)).toBe('Airlock gate (24)');
    });

    it('sets a commit status instead of a check run on a fork pull request, and logs the reason', async () => {
      github.refuseCheckRuns();
      const run = await gate(github, [clean], { comment: 'false' });
      expect(run.code).toBe(0);
      expect(github.bodies('POST', `/repos/acme/web/statuses/${PR_HEAD}`)).toEqual([
        expect.objectContaining({ state: 'success', context: 'Airlock gate' }),
      ]);
      expect(run.stdout).toMatch(
        /GitHub refused to create the check run "Airlock gate" \(403.*A commit status was set instead/,
      );
      expect(github.server.calls('GET', '/repos/acme/web/issues/5/comments')).toHaveLength(0);
    });

    it('skips GitHub with a notice when the token is empty, and still writes the summary', async () => {
      const run = await gate(github, [clean], { 'github-token': '' });
      expect(run.code).toBe(0);
      expect(github.server.requests).toHaveLength(0);
      expect(run.stdout).toContain(
        'Skipping the check run and the pull-request comment: the github-token input is empty.',
      );
      expect(run.summary).toMatch(/Airlock gate: ✅ passed/);
    });

    it('publishes the check run but no comment on a push run', async () => {
      const run = await runAction({
        action: 'gate/action.yml',
        inputs: { 'github-token': GITHUB_TOKEN, matrix: '' },
        env: jobEnv(github, [clean], 'push'),
      });
      expect(run.code).toBe(0);
      expect(github.server.calls('POST', '/repos/acme/web/check-runs')).toHaveLength(1);
      expect(github.comments).toHaveLength(0);
      expect(run.stdout).toContain(
        'No pull-request comment: the run is for a push event, not a pull request.',
      );
    });
  });

  describe('with bad inputs', () => {
    let github: GitHubStandIn;
    beforeAll(async () => {
      github = await startGitHubStandIn();
    });
    afterAll(() => github.close());

    const allowlist = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };

    it.each([
      [
        'an unknown fail-on level',
        { 'fail-on': 'severe' },
        /Input fail-on: "severe" is not a severity level; use one of critical, high, medium, low, none\./,
      ],
      [
        'a malformed duration',
        { 'wait-timeout': 'ten minutes' },
        /Input wait-timeout: "ten minutes" is not a duration; use seconds \(90\) or a duration such as 90s, 10m, 1h30m\./,
      ],
    ])('fails at once on %s, naming the input and the accepted forms', async (_what, inputs, message) => {
      const run = await gate(github, [clean], inputs);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`^::error::${message.source}`, 'm'));
      expect(github.server.requests).toHaveLength(0);
      expect(run.outputs).toEqual({});
    });

    it.each([
      [
        'is not valid YAML',
        'broken.yml',
        'allowlist: [oops\n',
        /Input allowlist \(.*broken\.yml\) is not valid YAML/,
      ],
      [
        'has an entry without an id',
        'noid.yml',
        '- reason: accepted\n',
        /Input allowlist \(.*noid\.yml\): entry 1 \(line 1\) has no `id`/,
      ],
    ])('fails at once on an allowlist that %s', async (_what, name, text, message) => {
      const run = await gate(github, [clean], { allowlist: allowlist(name, text) });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(new RegExp(`^::error::${message.source}`, 'm'));
    });
  });
});
