import { githubApi, nock } from '../helpers/nock.js';
import { upsertPrComment } from '../../src/github/pr-comment.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { buildPrComment, commentMarker, makeJobKey } from '../../src/report/pr-comment.js';
import { GITHUB_TEXT_LIMIT } from '../../src/report/truncate.js';
import { findings, NOW, pkg, settings } from '../policy/builders.js';
import { octokit, pullRequestContext, pushContext } from './run-context.js';

const COMMENTS = '/repos/acme/web/issues/5/comments';

function comment(id: number, body: string) {
  return { id, body, html_url: `https://github.com/acme/web/pull/5#issuecomment-${id}` };
}

function report(jobKey: string): string {
  return buildPrComment(evaluateGate([pkg()], settings(), NOW), { jobKey });
}

afterEach(() => nock.cleanAll());

describe('pull-request comment upsert', () => {
  it('finds the marked comment on a later page and updates it in place', async () => {
    const key = makeJobKey({ workflow: 'CI', job: 'build' });
    const body = report(key);
    let updated: { body: string } | undefined;
    const api = githubApi()
      .get(COMMENTS)
      .query({ per_page: '100' })
      .reply(200, [comment(1, 'LGTM'), comment(2, 'nice')], {
        Link: `<https://api.github.com${COMMENTS}?per_page=100&page=2>; rel="next", <https://api.github.com${COMMENTS}?per_page=100&page=2>; rel="last"`,
      })
      .get(COMMENTS)
      .query({ per_page: '100', page: '2' })
      .reply(200, [comment(3, 'hm'), comment(4, `${commentMarker(key)}\nold report`)])
      .patch('/repos/acme/web/issues/comments/4', (b: { body: string }) => ((updated = b), true))
      .reply(200, comment(4, body));

    const result = await upsertPrComment(octokit(), pullRequestContext(), {
      body,
      marker: commentMarker(key),
    });

    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      action: 'updated',
      id: 4,
      url: 'https://github.com/acme/web/pull/5#issuecomment-4',
    });
    expect(updated?.body).toBe(body);
  });

  it('creates the comment when no comment carries the marker', async () => {
    const key = 'CI/build';
    const body = report(key);
    let created: { body: string } | undefined;
    const api = githubApi()
      .get(COMMENTS)
      .query(true)
      .reply(200, [comment(1, 'LGTM')])
      .post(COMMENTS, (b: { body: string }) => ((created = b), true))
      .reply(201, comment(9, body));
    const result = await upsertPrComment(octokit(), pullRequestContext(), {
      body,
      marker: commentMarker(key),
    });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ action: 'created', id: 9 });
    expect(created?.body.startsWith(commentMarker(key))).toBe(true);
  });

  it('gives each matrix job its own comment instead of overwriting another job’s', async () => {
    const node20 = makeJobKey({ workflow: 'CI', job: 'build', matrix: { node: 20 } });
    const node22 = makeJobKey({ workflow: 'CI', job: 'build', matrix: { node: 22 } });
    const api = githubApi()
      .get(COMMENTS)
      .query(true)
      .reply(200, [comment(1, report(node20))])
      .post(COMMENTS)
      .reply(201, comment(2, 'x'));
    const result = await upsertPrComment(octokit(), pullRequestContext(), {
      body: report(node22),
      marker: commentMarker(node22),
    });
    expect(api.isDone()).toBe(true);
    expect(result).toMatchObject({ action: 'created', id: 2 });
  });

  it('sends a report larger than GitHub allows cut under 65,536 characters', async () => {
    const key = 'CI/build';
    const huge = evaluateGate(
      Array.from({ length: 50 }, (_, i) =>
        pkg({ name: `p${i}`, findings: findings(80, { severity: 'high' }) }),
      ),
      settings(),
      NOW,
    );
    const body = buildPrComment(huge, { jobKey: key, maxFindingRows: 1000 });
    let sent = '';
    const api = githubApi()
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS, (b: { body: string }) => ((sent = b.body), true))
      .reply(201, comment(3, 'x'));
    await upsertPrComment(octokit(), pullRequestContext(), { body, marker: commentMarker(key) });
    expect(api.isDone()).toBe(true);
    expect(sent.length).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(sent).toMatch(/cut short to stay under GitHub’s 65,536-character limit/);
    expect(sent.startsWith(commentMarker(key))).toBe(true);
  });

  it('skips, with the reason, when the run is not for a pull request', async () => {
    const result = await upsertPrComment(octokit(), pushContext(), {
      body: report('k'),
      marker: commentMarker('k'),
    });
    expect(result).toEqual({ action: 'skipped', reason: 'the run is for a push event, not a pull request' });
  });

  it('skips, with the reason, when GitHub refuses the comment', async () => {
    const api = githubApi()
      .get(COMMENTS)
      .query(true)
      .reply(200, [])
      .post(COMMENTS)
      .reply(403, { message: 'Resource not accessible by integration' });
    const result = await upsertPrComment(octokit(), pullRequestContext(), {
      body: report('k'),
      marker: commentMarker('k'),
    });
    expect(api.isDone()).toBe(true);
    expect(result).toEqual({
      action: 'skipped',
      reason: expect.stringMatching(/refused the pull-request comment \(403: Resource not accessible/),
    });
  });

  it('refuses a body without its marker, which could never be found again', async () => {
    await expect(
      upsertPrComment(octokit(), pullRequestContext(), { body: 'report', marker: commentMarker('k') }),
    ).rejects.toThrow(/must contain its marker/);
  });
});
