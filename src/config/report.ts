import fs from 'node:fs';
import type { GitHubRunContext } from '../github/context.js';
import { makeJobKey } from '../report/job-key.js';
import { parseBooleanInput, type InputSource } from '../runtime/runtime.js';
import { ReportInput, RunnerEnv, StepDefaults } from './names.js';

/** The GitHub run a report belongs to, read from the runner's environment. */
export interface GitHubEnvironment {
  context: GitHubRunContext;
  /** `GITHUB_API_URL`, or GitHub's own API. */
  apiUrl: string;
  /** Identifies the job (and matrix combination): one PR comment each. */
  jobKey: string;
}

/** How a step reports: always the job summary; on GitHub also a check run and the PR comment. */
export interface ReportSettings {
  /** Token for GitHub's API, masked; empty skips GitHub reporting. */
  githubToken: string;
  /** Post (and keep updating) the job's pull-request comment. */
  comment: boolean;
  /** The check run's name; matrix values are appended to it. */
  checkName: string;
  /** The job's matrix values, when it is a matrix job. */
  matrix: Record<string, unknown> | null;
  /** The run, when the step runs in GitHub Actions (`GITHUB_REPOSITORY` is set). */
  github: GitHubEnvironment | null;
}

/** A boolean input with a default for when it is empty (YAML 1.2 core schema). */
export function readBoolean(runtime: InputSource, input: string, fallback: boolean): boolean {
  const value = runtime.getInput(input);
  return value === '' ? fallback : parseBooleanInput(input, value);
}

/** `matrix`: the job's `${{ toJSON(matrix) }}` — a JSON object, or empty / `null` outside matrix jobs. */
export function parseMatrix(input: string, value: string): Record<string, unknown> | null {
  const text = value.trim();
  if (text === '' || text === 'null') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(
      `Input ${input}: '${text.slice(0, 80)}' is not a JSON object; leave the default \${{ toJSON(matrix) }} or give {"name": "value", …}.`,
    );
  }
  const matrix = parsed as Record<string, unknown>;
  return Object.keys(matrix).length ? matrix : null;
}

function readEventPayload(runtime: InputSource, file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  try {
    const payload: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  } catch (err) {
    runtime.warning(
      `Cannot read the event payload ${file} (${err instanceof Error ? err.message : String(err)}); reporting as if the run were not for a pull request.`,
    );
    return {};
  }
}

/** The GitHub run from the runner's variables; null outside GitHub Actions. */
export function readGitHubEnvironment(
  runtime: InputSource,
  matrix: Record<string, unknown> | null,
): GitHubEnvironment | null {
  const repository = runtime.getEnv(RunnerEnv.Repository) ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) return null;
  const server = (runtime.getEnv(RunnerEnv.ServerUrl) || 'https://github.com').replace(/\/+$/, '');
  const runId = runtime.getEnv(RunnerEnv.RunId);
  const context: GitHubRunContext = {
    owner,
    repo,
    eventName: runtime.getEnv(RunnerEnv.EventName) ?? '',
    payload: readEventPayload(runtime, runtime.getEnv(RunnerEnv.EventPath)),
    sha: runtime.getEnv(RunnerEnv.Sha) ?? '',
    ...(runId ? { runUrl: `${server}/${owner}/${repo}/actions/runs/${runId}` } : {}),
  };
  return {
    context,
    apiUrl: (runtime.getEnv(RunnerEnv.ApiUrl) || 'https://api.github.com').replace(/\/+$/, ''),
    jobKey: makeJobKey({
      workflow: runtime.getEnv(RunnerEnv.Workflow) || 'workflow',
      job: runtime.getEnv(RunnerEnv.Job) || 'job',
      matrix,
    }),
  };
}

/**
 * Reads `github-token` (masked at once), `comment`, `check-name` and `matrix`, and the run from
 * the runner's variables.
 */
export function readReportSettings(runtime: InputSource): ReportSettings {
  const githubToken = runtime.getInput(ReportInput.GithubToken);
  if (githubToken) runtime.setSecret(githubToken);
  const matrix = parseMatrix(ReportInput.Matrix, runtime.getInput(ReportInput.Matrix));
  return {
    githubToken,
    comment: readBoolean(runtime, ReportInput.Comment, true),
    checkName: runtime.getInput(ReportInput.CheckName) || StepDefaults.CheckName,
    matrix,
    github: readGitHubEnvironment(runtime, matrix),
  };
}
