import { getOctokit } from '@actions/github';
import { errorMessage } from '../client/errors.js';
import type { ReportSettings } from '../config/report.js';
import { createCheckRun, type CheckRunPublication } from '../github/check-runs.js';
import { resolveHeadSha, type Octokit } from '../github/context.js';
import { upsertPrComment, type CommentOutcome } from '../github/pr-comment.js';
import type { Verdict } from '../policy/verdict.js';
import { buildCheckRunOutput } from '../report/check-run.js';
import { code, promotionSentence } from '../report/format.js';
import { renderSummary } from '../report/markdown.js';
import { buildPrComment, commentMarker } from '../report/pr-comment.js';
import type { PromotionOutcome, ReportLink } from '../report/types.js';
import type { Runtime } from '../runtime/runtime.js';

/** What to report. */
export interface ReportContent {
  /** The gate's verdict; without it (promote given only a result) just the promotions are summarised. */
  verdict?: Verdict;
  promotions?: readonly PromotionOutcome[];
  /** `full`: the whole verdict in the job summary (gate, pipeline); `promotions`: only what promote did. */
  summary: 'full' | 'promotions';
  /** Publish a check run (the gate and the pipeline do; promote only updates the comment). */
  checkRun: boolean;
}

/** Injected GitHub client, for tests; by default @actions/github's for the settings' token and API URL. */
export interface ReportDeps {
  octokit?: Octokit;
}

/** What was published on GitHub; `skipped` says why nothing was. */
export interface ReportResult {
  checkRun?: CheckRunPublication;
  comment?: CommentOutcome;
  skipped?: string;
}

/** The check's name: the configured one, with the matrix values of a matrix job. */
export function checkRunName(settings: ReportSettings): string {
  const values = Object.entries(settings.matrix ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, v]) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return values.length ? `${settings.checkName} (${values.join(', ')})` : settings.checkName;
}

/** The job summary's section on promotions, for the promote step on its own. */
export function promotionSummary(title: string, promotions: readonly PromotionOutcome[]): string {
  const lines = promotions.map((p) => `- ${code(`${p.name} ${p.version}`.trim())}: ${promotionSentence(p)}`);
  return [`## ${title}: promotion`, lines.join('\n') || 'Nothing to promote.'].join('\n\n') + '\n';
}

/** Content with its verdict. */
type Judged = ReportContent & { verdict: Verdict };

async function publishCheckRun(
  runtime: Runtime,
  octokit: Octokit,
  settings: ReportSettings,
  content: Judged,
  links: ReportLink[],
): Promise<CheckRunPublication | undefined> {
  const github = settings.github!;
  const name = checkRunName(settings);
  try {
    const published = await createCheckRun(octokit, github.context, {
      name,
      output: buildCheckRunOutput(content.verdict, { promotions: content.promotions, links }),
      ...(github.context.runUrl ? { detailsUrl: github.context.runUrl } : {}),
    });
    if (published.kind === 'check-run') runtime.info(`Check run "${name}" published: ${published.url}`);
    else if (published.kind === 'commit-status') runtime.info(published.reason);
    else runtime.warning(published.reason);
    return published;
  } catch (err) {
    runtime.warning(`Could not publish the check run "${name}": ${errorMessage(err)}`);
    return undefined;
  }
}

async function publishComment(
  runtime: Runtime,
  octokit: Octokit,
  settings: ReportSettings,
  content: Judged,
  links: ReportLink[],
): Promise<CommentOutcome | undefined> {
  const github = settings.github!;
  const sha = resolveHeadSha(github.context);
  const body = buildPrComment(content.verdict, {
    jobKey: github.jobKey,
    title: settings.checkName,
    promotions: content.promotions,
    links,
    ...(sha ? { sha } : {}),
    ...(github.context.runUrl ? { detailsUrl: github.context.runUrl } : {}),
  });
  try {
    const outcome = await upsertPrComment(octokit, github.context, {
      body,
      marker: commentMarker(github.jobKey),
    });
    runtime.info(
      outcome.action === 'skipped'
        ? `No pull-request comment: ${outcome.reason}.`
        : `Pull-request comment ${outcome.action}: ${outcome.url}`,
    );
    return outcome;
  } catch (err) {
    runtime.warning(`Could not post the pull-request comment: ${errorMessage(err)}`);
    return undefined;
  }
}

/**
 * The report step: writes the job summary, then on GitHub publishes the check run on the PR
 * head commit (a commit status when the token may not create check runs, with the reason in
 * the log) and creates or updates the job's one pull-request comment. Without a token it skips
 * GitHub with a notice. A GitHub failure is logged as a warning: it never hides the verdict.
 */
export async function publishReport(
  runtime: Runtime,
  settings: ReportSettings,
  content: ReportContent,
  deps: ReportDeps = {},
): Promise<ReportResult> {
  const runUrl = settings.github?.context.runUrl;
  const links: ReportLink[] = runUrl ? [{ label: 'Workflow run', url: runUrl }] : [];
  const verdict = content.verdict;
  await runtime.summary(
    content.summary === 'full' && verdict
      ? renderSummary(verdict, { title: settings.checkName, promotions: content.promotions })
      : promotionSummary(settings.checkName, content.promotions ?? []),
  );
  if (!verdict) {
    const skipped = "no gate verdict to report (the gate's findings file is not available)";
    runtime.debug(`No check run or pull-request comment: ${skipped}.`);
    return { skipped };
  }
  if (!settings.github) {
    const skipped = 'not running in GitHub Actions (GITHUB_REPOSITORY is not set)';
    runtime.debug(`No check run or pull-request comment: ${skipped}.`);
    return { skipped };
  }
  if (!settings.githubToken) {
    const skipped = 'the github-token input is empty';
    runtime.info(`Skipping the check run and the pull-request comment: ${skipped}.`);
    return { skipped };
  }
  if (!content.checkRun && !settings.comment) return { skipped: 'nothing to publish on GitHub' };
  const octokit = deps.octokit ?? getOctokit(settings.githubToken, { baseUrl: settings.github.apiUrl });
  const result: ReportResult = {};
  const judged = { ...content, verdict };
  if (content.checkRun) result.checkRun = await publishCheckRun(runtime, octokit, settings, judged, links);
  if (settings.comment) result.comment = await publishComment(runtime, octokit, settings, judged, links);
  return result;
}
