import { ReportInput } from '../config/names.js';
import { UsageError } from './args.js';
import type { CommandContext } from './command.js';
import { cliFlag, type FlagSpec } from './flags.js';
import { applyReportTarget, resolveReportTarget, type ReportTarget } from './github-env.js';

/** Flags that say where on GitHub a report goes when the CLI runs outside GitHub Actions. */
export const REPORT_TARGET_FLAGS: readonly FlagSpec[] = [
  cliFlag(
    'sha',
    'value',
    'The commit the check run (or commit status) and comment belong to. auto: on a Jenkins ' +
      "multibranch pull-request build (CHANGE_ID) the PR head — HEAD^2 when HEAD is Jenkins' merge " +
      'commit —, else GIT_COMMIT, GITHUB_SHA or git rev-parse HEAD.',
    ['AIRLOCK_SHA'],
    'auto',
  ),
  cliFlag(
    'github-repository',
    'value',
    'The GitHub repository to report to, as owner/repo. Default: GITHUB_REPOSITORY, else the ' +
      "repository of Jenkins' CHANGE_URL (pull requests) or GIT_URL.",
  ),
];

/**
 * Outside GitHub Actions (Jenkins, a terminal), describes the GitHub run the reporting settings
 * expect (repository, commit, pull request) from `--github-repository`, `--sha` and Jenkins'
 * variables, so the same report step publishes there. Only done when a GitHub token is given,
 * or `required` (the `report` subcommand): then a repository that cannot be told is an error.
 */
export function prepareReporting(ctx: CommandContext, required = false): ReportTarget | undefined {
  const { runtime, env } = ctx;
  const explicit = runtime.getInput('github-repository') || !['', 'auto'].includes(runtime.getInput('sha'));
  if (env.GITHUB_ACTIONS === 'true' && !explicit) return undefined;
  if (!required && !runtime.getInput(ReportInput.GithubToken)) return undefined;
  let target: ReportTarget | undefined;
  try {
    target = resolveReportTarget(
      { sha: runtime.getInput('sha') || 'auto', repository: runtime.getInput('github-repository') },
      env,
      ctx.cwd,
    );
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    if (required) throw new UsageError(err.message);
    // The step's own work matters more than its report: say why there is none and go on.
    runtime.warning(`${err.message} Skipping the check run and the pull-request comment.`);
    return undefined;
  }
  if (!target) {
    const message =
      'No GitHub repository to report to: give --github-repository owner/repo (or run where GITHUB_REPOSITORY, CHANGE_URL or GIT_URL names it).';
    if (required) throw new UsageError(message);
    runtime.warning(`${message} Skipping the check run and the pull-request comment.`);
    return undefined;
  }
  applyReportTarget(env, target, ctx.state.dir);
  runtime.info(
    `Reporting to GitHub ${target.owner}/${target.repo} at ${target.sha.slice(0, 12)} (${target.shaSource})` +
      (target.pullRequest !== undefined ? ` for pull request #${target.pullRequest}.` : '.'),
  );
  return target;
}
