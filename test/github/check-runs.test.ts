import { githubApi, nock } from '../helpers/nock.js';
import { createCheckRun } from '../../src/github/check-runs.js';
import { resolvePullRequest } from '../../src/github/context.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { buildCheckRunOutput, type CheckRunAnnotation } from '../../src/report/check-run.js';
import { finding, NOW, pkg, settings } from '../policy/builders.js';
import { HEAD_SHA, MERGE_SHA, octokit, pullRequestContext, pushContext } from './run-context.js';

interface CheckRunBody {
  name?: string;
  head_sha?: string;
  status?: string;
  conclusion?: string;
  details_url?: string;
  output: { title: string; summary: string; annotations: CheckRunAnnotation[] };
}

function outputWithAnnotations(count: number) {
  const located = Array.from({ length: count }, (_, i) =>
    finding({ severity: 'critical', location: { path: 'package-lock.json', line: i + 1 } }),
  );
  return buildCheckRunOutput(evaluateGate([pkg({ findings: located })], settings(), NOW));
}

afterEach(() => nock.cleanAll());

describe('check runs', () => {
  it('creates the check run on the PR head and adds 120 annotations in three requests of at most 50', async () => {
    const bodies: CheckRunBody[] = [];
    const api = githubApi()
      .post('/repos/acme/web/check-runs', (b: CheckRunBody) => (bodies.push(b), true))
      .reply(201, {
        id: 77,
        url: 'https://api.github.com/repos/acme/web/check-runs/77',
        html_url: 'https://github.com/acme/web/runs/77',
      })
      .patch('/repos/acme/web/check-runs/77', (b: CheckRunBody) => (bodies.push(b), true))
      .times(2)
      .reply(200, { id: 77 });

    const result = await createCheckRun(octokit(), pullRequestContext(), {
      name: 'Airlock gate',
      output: outputWithAnnotations(120),
      detailsUrl: 'https://github.com/acme/web/actions/runs/7',
    });

    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      kind: 'check-run',
      id: 77,
      url: 'https://github.com/acme/web/runs/77',
      requests: 3,
    });
    expect(bodies.map((b) => b.output.annotations.length)).toEqual([50, 50, 20]);
    expect(bodies[0]).toMatchObject({
      name: 'Airlock gate',
      head_sha: HEAD_SHA,
      status: 'completed',
      conclusion: 'failure',
      details_url: 'https://github.com/acme/web/actions/runs/7',
    });
    const lines = bodies.flatMap((b) => b.output.annotations.map((a) => a.start_line));
    expect(lines).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(bodies[1]!.output.title).toBe(bodies[0]!.output.title);
  });

  it('sends a single request when there are no more than 50 annotations', async () => {
    let body: CheckRunBody | undefined;
    const api = githubApi()
      .post('/repos/acme/web/check-runs', (b: CheckRunBody) => ((body = b), true))
      .reply(201, { id: 78, url: 'u', html_url: 'h' });
    const result = await createCheckRun(octokit(), pushContext(), {
      name: 'gate',
      output: outputWithAnnotations(50),
    });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ kind: 'check-run', requests: 1 });
    expect(body?.head_sha).toBe(MERGE_SHA);
    expect(body?.output.annotations).toHaveLength(50);
  });

  it('falls back to a commit status on the head commit when check runs are refused with 403', async () => {
    let status: Record<string, string> | undefined;
    const api = githubApi()
      .post('/repos/acme/web/check-runs')
      .reply(403, { message: 'Resource not accessible by integration' })
      .post(`/repos/acme/web/statuses/${HEAD_SHA}`, (b: Record<string, string>) => ((status = b), true))
      .reply(201, { url: `https://api.github.com/repos/acme/web/statuses/${HEAD_SHA}`, id: 1 });

    const result = await createCheckRun(octokit(), pullRequestContext(), {
      name: 'Airlock gate',
      output: outputWithAnnotations(3),
      detailsUrl: 'https://github.com/acme/web/actions/runs/7',
    });

    expect(api.isDone()).toBe(true);
    expect(result.kind).toBe('commit-status');
    expect(result).toHaveProperty(
      'reason',
      expect.stringMatching(
        /403: Resource not accessible by integration.*checks: write.*commit status was set instead/,
      ),
    );
    expect(status).toEqual({
      state: 'failure',
      context: 'Airlock gate',
      description: 'Failed: 3 critical',
      target_url: 'https://github.com/acme/web/actions/runs/7',
    });
  });

  it('reports that nothing could be published when the commit status is refused too', async () => {
    const api = githubApi()
      .post('/repos/acme/web/check-runs')
      .reply(403, { message: 'Resource not accessible by integration' })
      .post(`/repos/acme/web/statuses/${HEAD_SHA}`)
      .reply(403, { message: 'Resource not accessible by integration' });
    const result = await createCheckRun(octokit(), pullRequestContext(), {
      name: 'gate',
      output: outputWithAnnotations(0),
    });
    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      kind: 'none',
      reason: expect.stringMatching(/commit status was refused too \(403/),
    });
  });

  it('throws errors other than a refusal', async () => {
    githubApi().post('/repos/acme/web/check-runs').reply(422, { message: 'Invalid request' });
    await expect(
      createCheckRun(octokit(), pullRequestContext(), { name: 'gate', output: outputWithAnnotations(0) }),
    ).rejects.toThrow(/Invalid request/);
  });
});

describe('run context', () => {
  it('reads the PR number and head SHA from a pull_request payload, and nothing from a push', () => {
    expect(resolvePullRequest(pullRequestContext())).toEqual({ number: 5, headSha: HEAD_SHA });
    expect(resolvePullRequest(pushContext())).toBeNull();
  });
});
