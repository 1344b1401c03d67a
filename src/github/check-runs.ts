import type { CheckRunAnnotation, CheckRunOutput } from '../report/check-run.js';
import { setCommitStatus } from './commit-status.js';
import {
  describeRequestError,
  httpStatusOf,
  resolveHeadSha,
  type GitHubRunContext,
  type Octokit,
} from './context.js';

/** The Checks API takes at most 50 annotations per request; later batches go in updates. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** A check run to publish. */
export interface CheckRunRequest {
  /** The check's name: the step's name, so each step has its own check. */
  name: string;
  output: CheckRunOutput;
  /** Where "Details" leads (the workflow run). */
  detailsUrl?: string;
}

/** What was published: a check run, a commit status in its place, or nothing — with the reason to log. */
export type CheckRunPublication =
  | { kind: 'check-run'; id: number; url: string; requests: number }
  | { kind: 'commit-status'; url: string; reason: string }
  | { kind: 'none'; reason: string };

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function createWithAnnotations(
  octokit: Octokit,
  ctx: GitHubRunContext,
  sha: string,
  request: CheckRunRequest,
): Promise<CheckRunPublication> {
  const { conclusion, title, summary, text, annotations } = request.output;
  const [first = [], ...rest]: CheckRunAnnotation[][] = batches(annotations, ANNOTATIONS_PER_REQUEST);
  const created = await octokit.rest.checks.create({
    owner: ctx.owner,
    repo: ctx.repo,
    name: request.name,
    head_sha: sha,
    status: 'completed',
    conclusion,
    ...(request.detailsUrl ? { details_url: request.detailsUrl } : {}),
    output: { title, summary, text, annotations: first },
  });
  const id = created.data.id;
  for (const batch of rest) {
    // Annotations sent in an update are added to those already on the check run.
    await octokit.rest.checks.update({
      owner: ctx.owner,
      repo: ctx.repo,
      check_run_id: id,
      output: { title, summary, annotations: batch },
    });
  }
  return { kind: 'check-run', id, url: created.data.html_url ?? created.data.url, requests: 1 + rest.length };
}

/**
 * Publishes the gate's check run on the PR head commit (or `GITHUB_SHA` outside pull requests),
 * annotations 50 per request. When GitHub refuses check runs (403: a fork's pull request, or a
 * token without `checks: write`), sets a commit status of the same name instead and returns the
 * reason so the caller can log it. Other errors are thrown.
 */
export async function createCheckRun(
  octokit: Octokit,
  ctx: GitHubRunContext,
  request: CheckRunRequest,
): Promise<CheckRunPublication> {
  const sha = resolveHeadSha(ctx);
  try {
    return await createWithAnnotations(octokit, ctx, sha, request);
  } catch (error) {
    if (httpStatusOf(error) !== 403) throw error;
    const refused = `GitHub refused to create the check run "${request.name}" (${describeRequestError(error)}); the token lacks checks: write, as on pull requests from forks`;
    try {
      const url = await setCommitStatus(octokit, ctx, {
        sha,
        state: request.output.conclusion === 'success' ? 'success' : 'failure',
        context: request.name,
        description: request.output.title,
        ...(request.detailsUrl ? { targetUrl: request.detailsUrl } : {}),
      });
      return { kind: 'commit-status', url, reason: `${refused}. A commit status was set instead.` };
    } catch (statusError) {
      if (httpStatusOf(statusError) !== 403) throw statusError;
      return {
        kind: 'none',
        reason: `${refused}, and the commit status was refused too (${describeRequestError(statusError)}). Grant checks: write or statuses: write to report on the commit.`,
      };
    }
  }
}
