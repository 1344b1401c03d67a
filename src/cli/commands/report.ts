import { readReportSettings } from '../../config/report.js';
import { ReportInput, StepEnv } from '../../config/names.js';
import type { PromotionRecord } from '../../steps/promote.js';
import { UsageError } from '../args.js';
import { readSettings, type Command, type CommandContext } from '../command.js';
import { actionInputs, buildFlags, cliFlag, hasAction, inputFlag, type FlagSpec } from '../flags.js';
import { prepareReporting, REPORT_TARGET_FLAGS } from '../reporting.js';
import { packageIds, StateFile, type PromoteState } from '../state.js';

const REPORT_INPUTS: readonly string[] = Object.values(ReportInput);

/** The gate action's reporting inputs (github-token, comment, check-name, matrix), as CLI flags. */
function reportInputFlags(): FlagSpec[] {
  if (!hasAction('gate')) return [];
  return actionInputs('gate')
    .filter((input) => REPORT_INPUTS.includes(input.name))
    .map((input) => ({ ...inputFlag(input), source: 'cli' as const }));
}

const FINDINGS_FLAG = cliFlag(
  'findings',
  'value',
  "The gate's findings file (its findings output). Default: the last gate run in this workspace.",
);

/** The promotions the last promote in this workspace recorded, when they are of the judged packages. */
function recordedPromotions(ctx: CommandContext, judged: string[]): PromotionRecord[] | undefined {
  const state = ctx.state.read<PromoteState>(StateFile.Promote);
  if (!state || packageIds(JSON.stringify(state.promoted)).join() !== judged.join()) return undefined;
  return state.promoted;
}

let flags: FlagSpec[] | undefined;

/**
 * `airlock report`: publishes a gate's verdict on GitHub from any CI — a check run on the commit
 * (a commit status when the token may not create check runs) and the job's pull-request comment —
 * through the same report step the actions use. Exits 1 when nothing could be published.
 */
export const reportCommand: Command = {
  name: 'report',
  summary: "post the last gate's check run (or commit status) and pull-request comment on GitHub",
  get flags() {
    flags ??= buildFlags(undefined, [...reportInputFlags(), FINDINGS_FLAG, ...REPORT_TARGET_FLAGS]);
    return flags;
  },
  async run(ctx) {
    const { runtime, env } = ctx;
    ctx.state.load(env);
    prepareReporting(ctx, true);
    const settings = await readSettings(() => readReportSettings(runtime));
    const github = settings.github;
    if (!github) {
      throw new UsageError('No GitHub repository to report to: give --github-repository owner/repo.');
    }
    const file = runtime.getInput('findings') || env[StepEnv.GateFindings];
    if (!file) {
      throw new UsageError(
        "No gate result to report: run 'airlock gate' in this workspace first, or give --findings with the gate's findings file.",
      );
    }
    // The GitHub client and the report's renderers load once the flags and inputs are known good.
    const [{ readGateReport }, { publishReport }, { resolveHeadSha, resolvePullRequest }] = await Promise.all(
      [import('../../steps/gate.js'), import('../../steps/report.js'), import('../../github/context.js')],
    );
    const verdict = await readSettings(() => readGateReport(file));
    const promotions = recordedPromotions(ctx, verdict.packages.map((p) => p.slug_perm).sort());
    const published = await publishReport(
      runtime,
      settings,
      { verdict, ...(promotions ? { promotions } : {}), summary: 'full', checkRun: true },
      ctx.deps,
    );
    if (published.skipped) throw new Error(`Nothing was published on GitHub: ${published.skipped}.`);
    const check = published.checkRun;
    const repository = `${github.context.owner}/${github.context.repo}`;
    const sha = resolveHeadSha(github.context);
    if (!check || check.kind === 'none') {
      throw new Error(
        `Nothing was published on ${repository}@${sha}: ${check?.reason ?? 'GitHub did not take the check run (see the warning above)'}.`,
      );
    }
    const pullRequest = resolvePullRequest(github.context)?.number;
    return {
      exitCode: 0,
      summary: `${check.kind === 'check-run' ? 'Check run' : 'Commit status'} for the ${verdict.result === 'pass' ? 'passed' : 'failed'} gate published on ${repository}@${sha.slice(0, 12)}: ${check.url}`,
      result: {
        verdict: verdict.result,
        repository,
        sha,
        ...(pullRequest !== undefined ? { pullRequest } : {}),
        checkRun: check,
        ...(published.comment ? { comment: published.comment } : {}),
      },
    };
  },
};
