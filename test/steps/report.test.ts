import fs from 'node:fs';
import path from 'node:path';
import { githubApi, nock } from '../helpers/nock.js';
import { readReportSettings } from '../../src/config/report.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { commentMarker } from '../../src/report/pr-comment.js';
import type { PromotionOutcome } from '../../src/report/types.js';
import { checkRunName, publishReport } from '../../src/steps/report.js';
import { finding, NOW, pkg, settings } from '../policy/builders.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { tempDir } from '../helpers/server.js';

const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);
const COMMENTS = '/repos/acme/web/issues/5/comments';

interface Posted {
  name?: string;
  head_sha?: string;
  conclusion?: string;
  body?: string;
  state?: string;
  context?: string;
}

describe('the report step', () => {
  const dir = tempDir('airlock-report-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => nock.cleanAll());

  const failing = evaluateGate(
    [
      pkg({
        findings: [finding({ severity: 'critical', location: { path: 'package-lock.json', line: 3 } })],
      }),
    ],
    settings(),
    NOW,
  );
  const promotions: PromotionOutcome[] = [
    { name: 'web-app', version: '2.1.0', status: 'not-promoted', detail: 'the gate failed' },
  ];

  /** A runtime on a runner: a pull_request run of acme/web PR #5 unless the event says otherwise. */
  function runnerRuntime(inputs: Record<string, string>, event = 'pull_request'): FakeRuntime {
    const eventPath = path.join(dir, `${event}.json`);
    const payload =
      event === 'pull_request'
        ? { number: 5, pull_request: { number: 5, head: { sha: HEAD } } }
        : { ref: 'refs/heads/main' };
    fs.writeFileSync(eventPath, JSON.stringify(payload));
    return new FakeRuntime({
      inputs: {
        'github-token': 'ghs_report_token',
        comment: 'true',
        'check-name': 'Airlock gate',
        ...inputs,
      },
      env: {
        GITHUB_REPOSITORY: 'acme/web',
        GITHUB_EVENT_NAME: event,
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_SHA: MERGE,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '7',
        GITHUB_WORKFLOW: 'CI',
        GITHUB_JOB: 'build',
      },
    });
  }

  it('writes the summary, publishes the check run on the PR head and creates the job comment', async () => {
    const runtime = runnerRuntime({ matrix: '{"node":"20","os":"linux"}' });
    const report = readReportSettings(runtime);
    const posted: Posted[] = [];
    const api = githubApi()
      .post('/repos/acme/web/check-runs', (b: Posted) => (posted.push(b), true))
      .reply(201, { id: 9, url: 'u', html_url: 'https://github.com/acme/web/runs/9' })
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS, (b: Posted) => (posted.push(b), true))
      .reply(201, { id: 11, html_url: 'https://github.com/acme/web/pull/5#issuecomment-11' });

    const result = await publishReport(runtime, report, {
      verdict: failing,
      promotions,
      summary: 'full',
      checkRun: true,
    });

    expect(api.isDone()).toBe(true);
    expect(posted[0]).toMatchObject({
      name: 'Airlock gate (20, linux)',
      head_sha: HEAD,
      conclusion: 'failure',
    });
    expect(posted[1]!.body).toContain(commentMarker('CI/build[node=20,os=linux]'));
    expect(posted[1]!.body).toContain('Not promoted: the gate failed.');
    expect(result.comment).toMatchObject({ action: 'created', id: 11 });
    const summary = runtime.events.find((e) => e.kind === 'summary');
    expect(summary && summary.kind === 'summary' && summary.markdown).toMatch(/^## Airlock gate: ❌ failed/);
    expect(runtime.log.join('\n')).toContain(
      'Check run "Airlock gate (20, linux)" published: https://github.com/acme/web/runs/9',
    );
  });

  it('updates the job comment in place on the next run', async () => {
    const runtime = runnerRuntime({});
    const marker = commentMarker('CI/build');
    let patched = '';
    const api = githubApi()
      .get(COMMENTS)
      .query(true)
      .reply(200, [
        { id: 3, body: 'LGTM' },
        { id: 4, body: `${marker}\nold report` },
      ])
      .patch('/repos/acme/web/issues/comments/4', (b: Posted) => ((patched = b.body ?? ''), true))
      .reply(200, { id: 4, html_url: 'https://github.com/acme/web/pull/5#issuecomment-4' });

    const result = await publishReport(runtime, readReportSettings(runtime), {
      verdict: failing,
      summary: 'full',
      checkRun: false,
    });

    expect(api.isDone()).toBe(true);
    expect(patched.startsWith(marker)).toBe(true);
    expect(result.comment).toMatchObject({ action: 'updated', id: 4 });
  });

  it('sets a commit status when GitHub refuses the check run, and logs why', async () => {
    const runtime = runnerRuntime({ comment: 'false' });
    const status: Posted[] = [];
    const api = githubApi()
      .post('/repos/acme/web/check-runs')
      .reply(403, { message: 'Resource not accessible by integration' })
      .post(`/repos/acme/web/statuses/${HEAD}`, (b: Posted) => (status.push(b), true))
      .reply(201, { url: 'https://api.github.com/status/1' });

    const result = await publishReport(runtime, readReportSettings(runtime), {
      verdict: failing,
      summary: 'full',
      checkRun: true,
    });

    expect(api.isDone()).toBe(true);
    expect(status[0]).toMatchObject({ state: 'failure', context: 'Airlock gate' });
    expect(result.checkRun?.kind).toBe('commit-status');
    expect(runtime.log.join('\n')).toMatch(
      /info: GitHub refused to create the check run .*403.*A commit status was set instead/,
    );
  });

  it('reports on GITHUB_SHA and skips the comment when the run is not for a pull request', async () => {
    const runtime = runnerRuntime({}, 'push');
    const posted: Posted[] = [];
    const api = githubApi()
      .post('/repos/acme/web/check-runs', (b: Posted) => (posted.push(b), true))
      .reply(201, { id: 9, url: 'u', html_url: 'h' });

    const result = await publishReport(runtime, readReportSettings(runtime), {
      verdict: failing,
      summary: 'full',
      checkRun: true,
    });

    expect(api.isDone()).toBe(true);
    expect(posted[0]!.head_sha).toBe(MERGE);
    expect(result.comment).toEqual({
      action: 'skipped',
      reason: 'the run is for a push event, not a pull request',
    });
  });

  it('skips GitHub with a notice when the token is empty, and still writes the summary', async () => {
    const runtime = runnerRuntime({ 'github-token': '' });
    const result = await publishReport(runtime, readReportSettings(runtime), {
      verdict: failing,
      summary: 'full',
      checkRun: true,
    });
    expect(result).toEqual({ skipped: 'the github-token input is empty' });
    expect(runtime.log).toContain(
      'info: Skipping the check run and the pull-request comment: the github-token input is empty.',
    );
    expect(runtime.events.some((e) => e.kind === 'summary')).toBe(true);
  });

  it('logs a warning and carries on when GitHub fails the comment', async () => {
    const runtime = runnerRuntime({});
    githubApi().get(COMMENTS).query(true).reply(500, { message: 'boom' });
    const result = await publishReport(runtime, readReportSettings(runtime), {
      verdict: failing,
      summary: 'full',
      checkRun: false,
    });
    expect(result.comment).toBeUndefined();
    expect(runtime.log.join('\n')).toMatch(/warning: Could not post the pull-request comment: .*boom/);
  });

  it('summarises only the promotions when there is no verdict to report', async () => {
    const runtime = runnerRuntime({});
    const result = await publishReport(runtime, readReportSettings(runtime), {
      promotions: [
        { name: 'web-app', version: '2.1.0', status: 'promoted', mode: 'copy', destination: 'acme/prod' },
      ],
      summary: 'promotions',
      checkRun: false,
    });
    expect(result.skipped).toMatch(/no gate verdict/);
    const summary = runtime.events.find((e) => e.kind === 'summary');
    expect(summary && summary.kind === 'summary' && summary.markdown).toContain('Copied to `acme/prod`.');
  });

  it('names the check run for a job without a matrix by the check-name alone', () => {
    const runtime = runnerRuntime({ 'check-name': 'Release gate', matrix: 'null' });
    expect(checkRunName(readReportSettings(runtime))).toBe('Release gate');
  });
});
