import type { GateActionSettings } from '../config/gate.js';
import type { PipelineSettings } from '../config/pipeline.js';
import type { PromoteActionSettings } from '../config/promote.js';
import type { PushSettings } from '../config/push.js';
import type { Verdict } from '../policy/verdict.js';
import type { Runtime } from '../runtime/runtime.js';
import { connect, type StepDeps } from './connect.js';
import { failedPackages, gateFailureMessage, readGateReport, runGate } from './gate.js';
import { runPipeline, type PipelineDeps } from './pipeline.js';
import { checkDestination, promotePackages, type PromotionRecord } from './promote.js';
import { pushPackages, type PushDeps } from './push.js';
import { publishReport, type ReportDeps } from './report.js';
import type { PushedPackage } from './types.js';

/**
 * What each action does with its settings, for the entry files and the CLI: resolves with what
 * it did ({@link ActionOutcome}) — the message to fail the step with, if any, and a typed result
 * the CLI writes its JSON result and `.airlock/` state from. The step outputs and exported
 * variables are the actions' own business and stay as they are.
 */

/** A gate that ran: its verdict (after any promotion refusal) and the files it wrote. */
export interface GateRun {
  verdict: Verdict;
  findingsPath: string;
  sarifPath: string;
}

/** What an action did, for a caller that reports it rather than setting step outputs. */
export interface ActionResult {
  /** The organisation and repository the packages are in. */
  owner: string;
  repo: string;
  /** The packages the action pushed, judged or promoted. */
  packages: PushedPackage[];
  /** Set when the action pushed `packages` (rather than being given them). */
  pushed?: boolean;
  /** Set when the action ran the gate. */
  gate?: GateRun;
  /** What was done with each package, when the action promoted or held back. */
  promotions?: PromotionRecord[];
}

/** An action's outcome: the message to fail the step with (a failed gate), and what it did. */
export interface ActionOutcome {
  failure?: string;
  result: ActionResult;
}

/** The `push` action. */
export async function runPushAction(
  runtime: Runtime,
  settings: PushSettings,
  deps: PushDeps = {},
): Promise<ActionOutcome> {
  const push = await pushPackages(runtime, connect(runtime, settings.connection, deps), settings, deps);
  return { result: { owner: settings.owner, repo: settings.repo, packages: push.packages, pushed: true } };
}

/** The `gate` action: wait, judge, report; a failed verdict fails the step. */
export async function runGateAction(
  runtime: Runtime,
  settings: GateActionSettings,
  deps: StepDeps & ReportDeps = {},
): Promise<ActionOutcome> {
  const gate = await runGate(runtime, connect(runtime, settings.connection, deps), settings, deps);
  await publishReport(
    runtime,
    settings.report,
    { verdict: gate.verdict, summary: 'full', checkRun: true },
    deps,
  );
  return {
    ...(gate.verdict.result === 'fail' ? { failure: gateFailureMessage(gate.verdict) } : {}),
    result: {
      owner: settings.owner,
      repo: settings.repo,
      packages: settings.packages,
      gate: { verdict: gate.verdict, findingsPath: gate.findingsPath, sarifPath: gate.sarifPath },
    },
  };
}

/**
 * The `promote` action: on a passed gate promotes (the destination is checked first), on a failed
 * one holds back and quarantines when asked; then summarises and, when the gate's findings file
 * is at hand, updates the job's pull-request comment with what was promoted. A package the
 * destination's promotion rules refuse fails the step as a failed gate, naming the rule.
 */
export async function runPromoteAction(
  runtime: Runtime,
  settings: PromoteActionSettings,
  deps: StepDeps & ReportDeps = {},
): Promise<ActionOutcome> {
  const client = connect(runtime, settings.connection, deps);
  const report = settings.gateFindings ? readGateReport(settings.gateFindings) : undefined;
  if (settings.gateResult === 'pass') await checkDestination(client, settings.owner, settings.destination);
  const { promotions, refusals } = await promotePackages(
    runtime,
    client,
    {
      ...settings,
      retries: settings.connection.retries,
      ...(report ? { failed: failedPackages(report) } : {}),
    },
    deps,
  );
  await publishReport(
    runtime,
    settings.report,
    { ...(report ? { verdict: report } : {}), promotions, summary: 'promotions', checkRun: false },
    deps,
  );
  // The destination refusing a package (its promotion rules) fails the gate, not the tooling.
  return {
    ...(refusals.length > 0 ? { failure: `The gate failed: ${refusals.join(' ')}` } : {}),
    result: { owner: settings.owner, repo: settings.repo, packages: settings.packages, promotions },
  };
}

/** The root action: the whole pipeline; a failed verdict fails the step. */
export async function runPipelineAction(
  runtime: Runtime,
  settings: PipelineSettings,
  deps: PipelineDeps = {},
): Promise<ActionOutcome> {
  const run = await runPipeline(runtime, settings, deps);
  const { verdict, findingsPath, sarifPath } = run.gate;
  return {
    ...(verdict.result === 'fail' ? { failure: gateFailureMessage(verdict) } : {}),
    result: {
      owner: settings.push.owner,
      repo: settings.push.repo,
      packages: run.push.packages,
      pushed: true,
      gate: { verdict, findingsPath, sarifPath },
      ...(run.promotions ? { promotions: run.promotions } : {}),
    },
  };
}
