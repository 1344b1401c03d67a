import {
  describeRequestError,
  httpStatusOf,
  resolvePullRequest,
  type GitHubRunContext,
  type Octokit,
} from './context.js';

/** What happened to the pull-request comment. */
export type CommentOutcome =
  { action: 'created' | 'updated'; id: number; url: string } | { action: 'skipped'; reason: string };

/** A comment body and the hidden marker in it that identifies the job's comment. */
export interface CommentRequest {
  body: string;
  marker: string;
}

async function findMarked(
  octokit: Octokit,
  ctx: GitHubRunContext,
  issueNumber: number,
  marker: string,
): Promise<number | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: ctx.owner,
    repo: ctx.repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    const found = page.data.find((c) => c.body?.includes(marker));
    if (found) return found.id;
  }
  return undefined;
}

/**
 * Creates the job's comment on the run's pull request, or updates it in place when a comment
 * with the same marker exists (every page of comments is searched). Skipped, with the reason,
 * when the run is not for a pull request or the token may not comment (403, as on forks).
 */
export async function upsertPrComment(
  octokit: Octokit,
  ctx: GitHubRunContext,
  request: CommentRequest,
): Promise<CommentOutcome> {
  if (!request.body.includes(request.marker)) {
    throw new Error('The comment body must contain its marker, or the comment could not be found again.');
  }
  const pr = resolvePullRequest(ctx);
  if (!pr)
    return { action: 'skipped', reason: `the run is for a ${ctx.eventName} event, not a pull request` };
  try {
    const existing = await findMarked(octokit, ctx, pr.number, request.marker);
    if (existing !== undefined) {
      const res = await octokit.rest.issues.updateComment({
        owner: ctx.owner,
        repo: ctx.repo,
        comment_id: existing,
        body: request.body,
      });
      return { action: 'updated', id: res.data.id, url: res.data.html_url };
    }
    const res = await octokit.rest.issues.createComment({
      owner: ctx.owner,
      repo: ctx.repo,
      issue_number: pr.number,
      body: request.body,
    });
    return { action: 'created', id: res.data.id, url: res.data.html_url };
  } catch (error) {
    if (httpStatusOf(error) !== 403) throw error;
    return {
      action: 'skipped',
      reason: `GitHub refused the pull-request comment (${describeRequestError(error)}); the token lacks pull-requests: write, as on pull requests from forks`,
    };
  }
}
