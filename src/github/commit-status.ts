import type { GitHubRunContext, Octokit } from './context.js';

/** A commit status's state. */
export type CommitState = 'success' | 'failure' | 'error' | 'pending';

/** A commit status to set: shown beside the commit and on the pull request. */
export interface CommitStatusRequest {
  sha: string;
  state: CommitState;
  /** The status's name (same as the check run it stands in for). */
  context: string;
  /** One line; GitHub keeps 140 characters. */
  description: string;
  targetUrl?: string;
}

// GitHub rejects longer descriptions.
const DESCRIPTION_LIMIT = 140;

/** Sets a commit status; returns its URL. Throws the Octokit error when GitHub refuses. */
export async function setCommitStatus(
  octokit: Octokit,
  ctx: GitHubRunContext,
  request: CommitStatusRequest,
): Promise<string> {
  const description =
    request.description.length > DESCRIPTION_LIMIT
      ? `${request.description.slice(0, DESCRIPTION_LIMIT - 1)}…`
      : request.description;
  const res = await octokit.rest.repos.createCommitStatus({
    owner: ctx.owner,
    repo: ctx.repo,
    sha: request.sha,
    state: request.state,
    context: request.context,
    description,
    ...(request.targetUrl ? { target_url: request.targetUrl } : {}),
  });
  return res.data.url;
}
