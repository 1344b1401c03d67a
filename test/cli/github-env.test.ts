import fs from 'node:fs';
import path from 'node:path';
import {
  applyReportTarget,
  parseGitHubUrl,
  resolveReportTarget,
  resolveSha,
} from '../../src/cli/github-env.js';
import { tempDir } from '../helpers/server.js';
import { git, mergeCheckout } from './git-checkout.js';

describe('the GitHub report target outside GitHub Actions', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('airlock-git-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reports on the PR head (HEAD^2), not Jenkins' merge commit, on a multibranch PR build", () => {
    const { prHead, merge } = mergeCheckout(dir);
    const env = { CHANGE_ID: '17', GIT_COMMIT: merge, CHANGE_URL: 'https://github.com/acme/app/pull/17' };
    expect(resolveReportTarget({ sha: 'auto', repository: '' }, env, dir)).toEqual({
      serverUrl: 'https://github.com',
      owner: 'acme',
      repo: 'app',
      sha: prHead,
      pullRequest: 17,
      shaSource: "HEAD^2 (the PR head of Jenkins' merge commit)",
    });
  });

  it('reports on HEAD (GIT_COMMIT) on a PR build that checked out the PR head itself', () => {
    const { prHead } = mergeCheckout(dir);
    git(dir, 'checkout', '-q', prHead);
    expect(resolveSha('auto', { CHANGE_ID: '17', GIT_COMMIT: prHead }, dir)).toEqual({
      sha: prHead,
      source: 'GIT_COMMIT',
    });
  });

  it('says when it cannot tell the PR head because git cannot read the checkout', () => {
    const sha = 'e'.repeat(40);
    expect(resolveSha('auto', { CHANGE_ID: '3', GIT_COMMIT: sha }, dir)).toEqual({
      sha,
      source:
        "GIT_COMMIT; git could not read HEAD's parents, so on a merge build this is Jenkins' merge commit",
    });
  });

  it('uses GIT_COMMIT, then GITHUB_SHA, then git rev-parse HEAD on a branch build', () => {
    const { merge } = mergeCheckout(dir);
    const other = 'a'.repeat(40);
    expect(resolveSha('auto', { GIT_COMMIT: other }, dir).sha).toBe(other);
    expect(resolveSha('auto', { GITHUB_SHA: other }, dir).source).toBe('GITHUB_SHA');
    expect(resolveSha('auto', {}, dir)).toEqual({ sha: merge, source: 'git rev-parse HEAD' });
  });

  it('takes an explicit sha and refuses one that is not a full commit id', () => {
    expect(resolveSha('ABCDEF'.padEnd(40, '0'), {}, dir).sha).toBe('abcdef'.padEnd(40, '0'));
    expect(() => resolveSha('abc123', {}, dir)).toThrow(
      "Input sha: 'abc123' is not a commit; give a full 40-character commit SHA or auto.",
    );
    expect(() => resolveSha('auto', {}, dir)).toThrow(/Cannot tell which commit to report on/);
  });

  it('finds the repository in --github-repository, GITHUB_REPOSITORY, CHANGE_URL or GIT_URL', () => {
    const sha = 'b'.repeat(40);
    const target = (repository: string, env: NodeJS.ProcessEnv) =>
      resolveReportTarget({ sha, repository }, env, dir);
    expect(target('acme/app', { GIT_URL: 'https://github.com/x/y.git' })).toMatchObject({
      owner: 'acme',
      repo: 'app',
    });
    expect(target('', { GITHUB_REPOSITORY: 'o/r', GITHUB_SERVER_URL: 'https://ghe.test' })).toMatchObject({
      serverUrl: 'https://ghe.test',
      owner: 'o',
      repo: 'r',
    });
    expect(target('', { GIT_URL: 'git@github.com:acme/app.git' })).toMatchObject({
      owner: 'acme',
      repo: 'app',
    });
    expect(target('', {})).toBeUndefined();
    expect(() => target('acme', {})).toThrow("Input github-repository: 'acme' is not owner/repo");
    expect(parseGitHubUrl('https://ghe.test/acme/app/pull/3')).toEqual({
      serverUrl: 'https://ghe.test',
      owner: 'acme',
      repo: 'app',
    });
  });

  it("gives the runtime a runner's variables and a pull_request event naming the PR head", () => {
    const env: NodeJS.ProcessEnv = { JOB_NAME: 'acme-app/PR-17', STAGE_NAME: 'Gate', GITHUB_RUN_ID: '5' };
    const stateDir = path.join(dir, '.airlock');
    const sha = 'c'.repeat(40);
    applyReportTarget(
      env,
      { serverUrl: 'https://github.com', owner: 'acme', repo: 'app', sha, pullRequest: 17, shaSource: 'x' },
      stateDir,
    );
    expect(env).toMatchObject({
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_SHA: sha,
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_WORKFLOW: 'acme-app/PR-17',
      GITHUB_JOB: 'Gate',
      GITHUB_EVENT_NAME: 'pull_request',
    });
    expect(env.GITHUB_RUN_ID).toBeUndefined();
    const payload = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH!, 'utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({ pull_request: { number: 17, head: { sha } } });
  });
});
