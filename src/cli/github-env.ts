import type { execFileSync as ExecFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RunnerEnv } from '../config/names.js';

/** Runs `git` with arguments in a directory and returns its trimmed stdout; throws when git fails. */
export type GitRunner = (args: string[], cwd: string) => string;

/**
 * node:child_process's execFileSync, loaded on first use rather than imported: on Node 24 that
 * module takes milliseconds to load, which every start of the CLI would pay for the few runs
 * that ask git for a commit. A built-in module resolves the same from any base path.
 */
function execFileSyncLoaded(): typeof ExecFileSync {
  const load = createRequire(path.join(process.cwd(), 'airlock.js'));
  return (load('node:child_process') as { execFileSync: typeof ExecFileSync }).execFileSync;
}

/** The real git, quiet on stderr. */
export const runGit: GitRunner = (args, cwd) =>
  execFileSyncLoaded()('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/** The commit, repository and pull request a report goes to, and how each was found (for the log). */
export interface ReportTarget {
  owner: string;
  repo: string;
  /** GitHub's web origin (`https://github.com`, or a GitHub Enterprise server). */
  serverUrl: string;
  sha: string;
  /** The pull request, on a Jenkins multibranch PR build (`CHANGE_ID`). */
  pullRequest?: number;
  /** Where `sha` came from, e.g. `HEAD^2 (the PR head of Jenkins' merge commit)`. */
  shaSource: string;
}

/** A GitHub repository URL (`https://host/owner/repo[.git]`, `git@host:owner/repo.git`, a PR URL) → its parts. */
export function parseGitHubUrl(url: string): { serverUrl: string; owner: string; repo: string } | undefined {
  const scp = /^(?:[\w.-]+@)?([\w.-]+):([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url);
  if (scp && !url.includes('://')) return { serverUrl: `https://${scp[1]}`, owner: scp[2]!, repo: scp[3]! };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const [owner, repo] = parsed.pathname.split('/').filter(Boolean);
  if (!owner || !repo) return undefined;
  const protocol = parsed.protocol === 'http:' ? 'http:' : 'https:';
  return { serverUrl: `${protocol}//${parsed.host}`, owner, repo: repo.replace(/\.git$/, '') };
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

/**
 * Resolves `--sha auto` outside GitHub Actions. On a Jenkins multibranch pull-request build
 * (`CHANGE_ID` set) the report belongs on the PR's head commit, not Jenkins' local merge commit:
 * when HEAD is a merge commit with two parents that is `HEAD^2`, else HEAD itself (`GIT_COMMIT`).
 * Elsewhere it is `GIT_COMMIT`, `GITHUB_SHA`, then `git rev-parse HEAD`. An explicit sha is
 * taken as it is (after a format check).
 */
export function resolveSha(
  requested: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  git: GitRunner = runGit,
): { sha: string; source: string } {
  if (requested && requested !== 'auto') {
    if (!SHA.test(requested)) {
      throw new Error(
        `Input sha: '${requested}' is not a commit; give a full 40-character commit SHA or auto.`,
      );
    }
    return { sha: requested.toLowerCase(), source: '--sha' };
  }
  const tryGit = (args: string[]): string | undefined => {
    try {
      const out = git(args, cwd);
      return out || undefined;
    } catch {
      return undefined;
    }
  };
  let caveat = '';
  if (env.CHANGE_ID) {
    const parents = tryGit(['rev-list', '--parents', '-n', '1', 'HEAD'])?.split(/\s+/);
    if (parents?.length === 3)
      return { sha: parents[2]!, source: "HEAD^2 (the PR head of Jenkins' merge commit)" };
    // Without git (not a checkout, or an ownership check refused it) a merge build goes unnoticed.
    if (!parents)
      caveat = "; git could not read HEAD's parents, so on a merge build this is Jenkins' merge commit";
  }
  if (env.GIT_COMMIT && SHA.test(env.GIT_COMMIT))
    return { sha: env.GIT_COMMIT, source: `GIT_COMMIT${caveat}` };
  if (env.GITHUB_SHA && SHA.test(env.GITHUB_SHA)) return { sha: env.GITHUB_SHA, source: 'GITHUB_SHA' };
  const head = tryGit(['rev-parse', 'HEAD']);
  if (head && SHA.test(head)) return { sha: head, source: 'git rev-parse HEAD' };
  throw new Error(
    'Cannot tell which commit to report on: give --sha, or run in a git checkout (GIT_COMMIT, GITHUB_SHA or HEAD).',
  );
}

/**
 * The GitHub repository to report to: `--github-repository owner/repo`, else `GITHUB_REPOSITORY`,
 * else Jenkins' `CHANGE_URL` (the pull request) or `GIT_URL` (the clone URL). Undefined when none says.
 */
export function resolveRepository(
  requested: string,
  env: NodeJS.ProcessEnv,
): { serverUrl: string; owner: string; repo: string } | undefined {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  for (const value of [requested, env.GITHUB_REPOSITORY]) {
    if (!value) continue;
    if (value.includes('://') || value.includes('@')) return parseGitHubUrl(value);
    const [owner, repo, extra] = value.split('/');
    if (!owner || !repo || extra !== undefined) {
      throw new Error(`Input github-repository: '${value}' is not owner/repo; give it as acme/app.`);
    }
    return { serverUrl: server, owner, repo };
  }
  for (const value of [env.CHANGE_URL, env.GIT_URL]) {
    const parsed = value ? parseGitHubUrl(value) : undefined;
    if (parsed) return parsed;
  }
  return undefined;
}

/** Where a GitHub server's REST API is: api.github.com for github.com, `/api/v3` on Enterprise Server. */
export function apiUrlFor(serverUrl: string): string {
  return /^https:\/\/github\.com$/i.test(serverUrl) ? 'https://api.github.com' : `${serverUrl}/api/v3`;
}

/**
 * Resolves the report target outside GitHub Actions, or undefined when no GitHub repository can be
 * told (then there is nothing to report to).
 */
export function resolveReportTarget(
  options: { sha: string; repository: string },
  env: NodeJS.ProcessEnv,
  cwd: string,
  git: GitRunner = runGit,
): ReportTarget | undefined {
  const repository = resolveRepository(options.repository, env);
  if (!repository) return undefined;
  const { sha, source } = resolveSha(options.sha, env, cwd, git);
  const pr = env.CHANGE_ID && /^\d+$/.test(env.CHANGE_ID) ? Number(env.CHANGE_ID) : undefined;
  return { ...repository, sha, shaSource: source, ...(pr !== undefined ? { pullRequest: pr } : {}) };
}

/**
 * Gives the runtime's environment the variables a GitHub runner would have for `target`, so the
 * reporting settings (config/report.ts) read the same run description in Jenkins as in Actions:
 * the repository, the commit, and for a pull request an event payload file naming it and its
 * head commit. The Jenkins job and stage name the job, so each gets its own PR comment.
 */
export function applyReportTarget(env: NodeJS.ProcessEnv, target: ReportTarget, stateDir: string): void {
  env[RunnerEnv.Repository] = `${target.owner}/${target.repo}`;
  env[RunnerEnv.Sha] = target.sha;
  env[RunnerEnv.ServerUrl] = target.serverUrl;
  env[RunnerEnv.ApiUrl] ||= apiUrlFor(target.serverUrl);
  env[RunnerEnv.Workflow] ||= env.JOB_NAME || 'airlock';
  env[RunnerEnv.Job] ||= env.STAGE_NAME || 'airlock';
  // A Jenkins build has no Actions run for reports to link to.
  delete env[RunnerEnv.RunId];
  if (target.pullRequest === undefined) {
    env[RunnerEnv.EventName] = 'push';
    delete env[RunnerEnv.EventPath];
    return;
  }
  const event = path.join(stateDir, 'github-event.json');
  fs.mkdirSync(stateDir, { recursive: true });
  const payload = {
    number: target.pullRequest,
    pull_request: { number: target.pullRequest, head: { sha: target.sha }, html_url: env.CHANGE_URL ?? null },
    repository: { full_name: `${target.owner}/${target.repo}` },
  };
  fs.writeFileSync(event, `${JSON.stringify(payload, null, 2)}\n`);
  env[RunnerEnv.EventName] = 'pull_request';
  env[RunnerEnv.EventPath] = event;
}
