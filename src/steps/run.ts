import type { GateActionSettings } from '../config/gate.js';
import type { PipelineSettings } from '../config/pipeline.js';
import type { PromoteActionSettings } from '../config/promote.js';
import type { PushSettings } from '../config/push.js';
import type { Runtime } from '../runtime/runtime.js';
import { connect, type StepDeps } from './connect.js';
import { failedPackages, gateFailureMessage, readGateReport, runGate } from './gate.js';
import { runPipeline, type PipelineDeps } from './pipeline.js';
import { checkDestination, promotePackages } from './promote.js';
import { pushPackages, type PushDeps } from './push.js';
import { publishReport, type ReportDeps } from './report.js';

/**
 * What each action does with its settings, for the entry files (and scripts that drive the
 * steps): resolves with the message to fail the step with, or undefined when it succeeded.
 */

/** The `push` action. */
export async function runPushAction(
  runtime: Runtime,
  settings: PushSettings,
  deps: PushDeps = {},
): Promise<string | undefined> {
  await pushPackages(runtime, connect(runtime, settings.connection, deps), settings, deps);
  return undefined;
}

/** The `gate` action: wait, judge, report; a failed verdict fails the step. */
export async function runGateAction(
  runtime: Runtime,
  settings: GateActionSettings,
  deps: StepDeps & ReportDeps = {},
): Promise<string | undefined> {
  const gate = await runGate(runtime, connect(runtime, settings.connection, deps), settings, deps);
  await publishReport(
    runtime,
    settings.report,
    { verdict: gate.verdict, summary: 'full', checkRun: true },
    deps,
  );
  return gate.verdict.result === 'fail' ? gateFailureMessage(gate.verdict) : undefined;
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
): Promise<string | undefined> {
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
  return refusals.length > 0 ? `The gate failed: ${refusals.join(' ')}` : undefined;
}

/** The root action: the whole pipeline; a failed verdict fails the step. */
export async function runPipelineAction(
  runtime: Runtime,
  settings: PipelineSettings,
  deps: PipelineDeps = {},
): Promise<string | undefined> {
  const result = await runPipeline(runtime, settings, deps);
  return result.gate.verdict.result === 'fail' ? gateFailureMessage(result.gate.verdict) : undefined;
}
