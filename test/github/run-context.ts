import { getOctokit } from '@actions/github';
import type { GitHubRunContext, Octokit } from '../../src/github/context.js';
import { GITHUB_API } from '../helpers/nock.js';

/** The head commit of the sample pull request (the merge commit is `MERGE_SHA`). */
export const HEAD_SHA = 'a'.repeat(40);
/** `GITHUB_SHA` on the sample pull request: the merge commit. */
export const MERGE_SHA = 'b'.repeat(40);

/** A pull_request run for PR #5 of acme/web. */
export function pullRequestContext(): GitHubRunContext {
  return {
    owner: 'acme',
    repo: 'web',
    eventName: 'pull_request',
    sha: MERGE_SHA,
    payload: {
      action: 'synchronize',
      number: 5,
      pull_request: { number: 5, head: { sha: HEAD_SHA, ref: 'feature' } },
    },
    runUrl: 'https://github.com/acme/web/actions/runs/7',
  };
}

/** A push run on main. */
export function pushContext(): GitHubRunContext {
  return {
    owner: 'acme',
    repo: 'web',
    eventName: 'push',
    sha: MERGE_SHA,
    payload: { ref: 'refs/heads/main' },
  };
}

/** The client `@actions/github` builds, pointed at GitHub's API (which nock stands in for). */
export function octokit(): Octokit {
  return getOctokit('ghs_test_token', { baseUrl: GITHUB_API });
}
