import fs from 'node:fs';
import path from 'node:path';
import { WorkspaceState } from '../../src/cli/state.js';
import type { GateReport } from '../../src/steps/gate.js';
import { githubApi, nock } from '../helpers/nock.js';
import { tempDir } from '../helpers/server.js';
import { sampleVerdict } from '../report/verdicts.js';
import { runAirlock } from './cli-harness.js';
import { mergeCheckout } from './git-checkout.js';

const TOKEN = 'ghs_jenkinsBoundToken0123456789abcdef';

interface CheckRunBody {
  name: string;
  head_sha: string;
  conclusion: string;
}

/** A gate's findings file for the sample verdict, as `airlock gate` leaves it in the workspace. */
function recordGate(dir: string): string {
  const verdict = sampleVerdict();
  const report: GateReport = {
    ...verdict,
    packages: verdict.packages.map((p, i) => ({ ...p, slug_perm: `pkg${i}` })),
  };
  const state = new WorkspaceState(dir);
  const findings = path.join(state.dir, 'airlock-gate-x', 'findings.json');
  fs.mkdirSync(path.dirname(findings), { recursive: true });
  fs.writeFileSync(findings, JSON.stringify(report));
  const packages = report.packages.map((p) => ({
    slug_perm: p.slug_perm,
    name: p.name,
    version: p.version,
    format: p.format,
    filename: p.filename ?? '',
    url: p.url ?? '',
  }));
  state.record({ owner: 'acme', repo: 'dev', packages, pushed: true });
  state.record({
    owner: 'acme',
    repo: 'dev',
    packages,
    gate: { verdict: { ...verdict, result: 'fail' }, findingsPath: findings, sarifPath: '' },
  });
  return findings;
}

describe('airlock report (GitHub from Jenkins)', () => {
  let dir: string;
  let checkout: { prHead: string; merge: string };
  let prEnv: NodeJS.ProcessEnv;

  beforeEach(() => {
    dir = tempDir('airlock-report-');
    checkout = mergeCheckout(dir);
    prEnv = {
      CHANGE_ID: '17',
      CHANGE_URL: 'https://github.com/acme/app/pull/17',
      GIT_COMMIT: checkout.merge,
      GIT_URL: 'https://github.com/acme/app.git',
      JOB_NAME: 'acme-app/PR-17',
      STAGE_NAME: 'Gate',
      GITHUB_TOKEN: TOKEN,
    };
  });
  afterEach(() => {
    nock.cleanAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("puts the check run on the PR head, not Jenkins' merge commit, and comments on the pull request", async () => {
    recordGate(dir);
    const checks: CheckRunBody[] = [];
    let comment = '';
    const api = githubApi()
      .post('/repos/acme/app/check-runs', (b: CheckRunBody) => (checks.push(b), true))
      .reply(201, {
        id: 5,
        url: 'https://api.github.com/repos/acme/app/check-runs/5',
        html_url: 'https://github.com/acme/app/runs/5',
      })
      .get('/repos/acme/app/issues/17/comments')
      .query(true)
      .reply(200, [])
      .post('/repos/acme/app/issues/17/comments', (b: { body: string }) => ((comment = b.body), true))
      .reply(201, { id: 9, html_url: 'https://github.com/acme/app/pull/17#issuecomment-9' });

    const run = await runAirlock(['report', '--json'], { cwd: dir, env: prEnv });
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    expect(api.isDone()).toBe(true);
    expect(checks).toEqual([
      expect.objectContaining({ name: 'Airlock gate', head_sha: checkout.prHead, conclusion: 'failure' }),
    ]);
    expect(comment).toContain('<!-- airlock:acme-app/PR-17/Gate -->');
    expect(run.json).toMatchObject({
      command: 'report',
      ok: true,
      verdict: 'fail',
      repository: 'acme/app',
      sha: checkout.prHead,
      pullRequest: 17,
      checkRun: { kind: 'check-run', url: 'https://github.com/acme/app/runs/5' },
      comment: { action: 'created' },
    });
    expect(run.stderr).toContain(
      `at ${checkout.prHead.slice(0, 12)} (HEAD^2 (the PR head of Jenkins' merge commit)) for pull request #17`,
    );
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    expect(run.stdout + run.stderr).not.toContain(checkout.merge);
  });

  it('sets a commit status on the PR head when the token may not create check runs, and says why', async () => {
    const findings = recordGate(dir);
    const api = githubApi()
      .post('/repos/acme/app/check-runs')
      .reply(403, { message: 'Resource not accessible by integration' })
      .post(`/repos/acme/app/statuses/${checkout.prHead}`)
      .reply(201, { url: `https://api.github.com/repos/acme/app/statuses/${checkout.prHead}` });

    const run = await runAirlock(['report', '--findings', findings, '--comment', 'false', '--json'], {
      cwd: dir,
      env: prEnv,
    });
    expect(run.code).toBe(0);
    expect(api.isDone()).toBe(true);
    expect(run.json).toMatchObject({ checkRun: { kind: 'commit-status' } });
    expect(run.stderr).toMatch(
      /GitHub refused to create the check run "Airlock gate" \(403.*A commit status was set instead\./,
    );
  });

  it('reports a branch build on GIT_COMMIT of the repository GIT_URL names, without a comment', async () => {
    recordGate(dir);
    const sha = 'd'.repeat(40);
    const checks: CheckRunBody[] = [];
    const api = githubApi()
      .post('/repos/acme/lib/check-runs', (b: CheckRunBody) => (checks.push(b), true))
      .reply(201, { id: 6, url: 'u', html_url: 'https://github.com/acme/lib/runs/6' });
    const run = await runAirlock(['report', '--check-name', 'Airlock (Jenkins)', '--json'], {
      cwd: dir,
      env: { GIT_COMMIT: sha, GIT_URL: 'git@github.com:acme/lib.git', AIRLOCK_GITHUB_TOKEN: TOKEN },
    });
    expect(run.code).toBe(0);
    expect(api.isDone()).toBe(true);
    expect(checks[0]).toMatchObject({ name: 'Airlock (Jenkins)', head_sha: sha });
    expect(run.json).toMatchObject({ sha, comment: { action: 'skipped' } });
    expect(run.json).not.toHaveProperty('pullRequest');
  });

  it('exits 1 when there is no GitHub token, nothing to report, or no repository to report to', async () => {
    const noToken = await runAirlock(['report', '--json'], {
      cwd: dir,
      env: { ...prEnv, GITHUB_TOKEN: undefined },
    });
    expect(noToken.code).toBe(1);
    recordGate(dir);
    const noTokenAfterGate = await runAirlock(['report', '--json'], {
      cwd: dir,
      env: { ...prEnv, GITHUB_TOKEN: undefined },
    });
    expect(noTokenAfterGate.json?.error).toBe(
      'Nothing was published on GitHub: the github-token input is empty.',
    );

    const elsewhere = tempDir('airlock-report-');
    try {
      const noGate = await runAirlock(['report'], { cwd: elsewhere, env: prEnv });
      expect(noGate.code).toBe(1);
      expect(noGate.stderr).toMatch(
        /^error: No gate result to report: run 'airlock gate' in this workspace first/m,
      );
      const noRepo = await runAirlock(['report', '--sha', checkout.prHead], {
        cwd: elsewhere,
        env: { GITHUB_TOKEN: TOKEN },
      });
      expect(noRepo.code).toBe(1);
      expect(noRepo.stderr).toMatch(
        /^error: No GitHub repository to report to: give --github-repository owner\/repo/m,
      );
      expect(noRepo.stderr).toContain('usage: airlock report');
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
