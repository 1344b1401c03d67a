import type { GitHub } from '@actions/github/lib/utils';

/** The Octokit client `@actions/github`'s `getOctokit(token)` returns; injected so tests can point it anywhere. */
export type Octokit = InstanceType<typeof GitHub>;

/**
 * What the GitHub modules need to know about the run, read once at the edge (from the runner's
 * environment and event payload) and passed down; nothing below reads `process.env`.
 */
export interface GitHubRunContext {
  owner: string;
  repo: string;
  /** `GITHUB_EVENT_NAME`. */
  eventName: string;
  /** The event payload (the JSON file at `GITHUB_EVENT_PATH`). */
  payload: Record<string, unknown>;
  /** `GITHUB_SHA`: the commit the run is for (a merge commit on pull requests). */
  sha: string;
  /** `GITHUB_SERVER_URL` + `/owner/repo/actions/runs/RUN_ID`, when known: reports link to it. */
  runUrl?: string;
}

/** The pull request a run is for. */
export interface PullRequestRef {
  number: number;
  /** The PR's head commit: where check runs belong (not the merge commit in `GITHUB_SHA`). */
  headSha: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The pull request of a `pull_request`-like event (`pull_request`, `pull_request_target`,
 * reviews): its number and `pull_request.head.sha`. Null for any other event.
 */
export function resolvePullRequest(ctx: GitHubRunContext): PullRequestRef | null {
  const pr = ctx.payload.pull_request;
  if (!isRecord(pr) || !isRecord(pr.head)) return null;
  const number = pr.number;
  const headSha = pr.head.sha;
  if (typeof number !== 'number' || typeof headSha !== 'string' || !headSha) return null;
  return { number, headSha };
}

/** The commit reports belong on: the PR head for pull requests, else `GITHUB_SHA`. */
export function resolveHeadSha(ctx: GitHubRunContext): string {
  return resolvePullRequest(ctx)?.headSha ?? ctx.sha;
}

/** The HTTP status of an Octokit request error, if the error carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  // Octokit's RequestError class belongs to a transitive dependency; its `status` field is its contract.
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return error.status;
  }
  return undefined;
}

/** `403: message` — how reasons quote a refused request. */
export function describeRequestError(error: unknown): string {
  const status = httpStatusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  return status !== undefined ? `${status}: ${message}` : message;
}
