import { GateOutput, PromoteOutput, PushOutput, RunnerEnv, StepEnv } from '../../config/names.js';
import type { Runtime } from '../../runtime/runtime.js';
import { readSettings, type CliDeps, type Command, type CommandContext } from '../command.js';
import { authenticateIfAsked, authFlags } from '../credentials.js';
import { buildFlags, type FlagSpec } from '../flags.js';
import { prepareReporting, REPORT_TARGET_FLAGS } from '../reporting.js';
import { StateFile } from '../state.js';

/** How a subcommand runs one of the actions' steps (src/steps/run.ts). */
export interface StepCommandSpec<S> {
  name: string;
  summary: string;
  /** The action.yml folder whose inputs are the flags. */
  action: string;
  /** Authenticate first (OIDC) and hand the token to the step; the pipeline does it itself. */
  authenticates: boolean;
  /** The step can report to GitHub (check run, PR comment). */
  reports: boolean;
  /**
   * Defaults owner, repository and packages to what earlier subcommands recorded in `.airlock/`
   * (gate and promote). Push never does: where packages go must be said, not remembered.
   */
  readsState: boolean;
  /** Reads the action's settings (src/config/*). */
  read(runtime: Runtime): S;
  /** Runs the action's step; resolves with the message of a failed gate, else undefined. */
  run(runtime: Runtime, settings: S, deps: CliDeps & { cwd: string }): Promise<string | undefined>;
  /** The line that says what happened, from the step's outputs. */
  describe(result: Record<string, unknown>, failure: string | undefined): string;
}

const COUNTS = [GateOutput.Critical, GateOutput.High, GateOutput.Medium, GateOutput.Low, GateOutput.Unknown];

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The JSON result's fields from a step's outputs: `verdict` (the gate's `result`), `counts`,
 * `components` (evaluated and not, when the repository reports coverage), `packages`,
 * `promoted`, and the `findings` and `sarif` file paths. Never the token output.
 */
export function resultFromOutputs(
  outputs: Record<string, string>,
  packages?: string,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (outputs[GateOutput.Result]) result.verdict = outputs[GateOutput.Result];
  if (COUNTS.some((name) => outputs[name] !== undefined)) {
    result.counts = Object.fromEntries(COUNTS.map((name) => [name, Number(outputs[name] ?? 0)]));
  }
  const pushed = outputs[PushOutput.Packages] ?? packages;
  if (pushed) result.packages = parseJson(pushed);
  if (outputs[PromoteOutput.Promoted]) result.promoted = parseJson(outputs[PromoteOutput.Promoted]);
  // Empty outputs mean the repository did not report coverage; the field is left out then.
  if (outputs[GateOutput.ComponentsEvaluated] && outputs[GateOutput.ComponentsNotEvaluated]) {
    result.components = {
      evaluated: Number(outputs[GateOutput.ComponentsEvaluated]),
      notEvaluated: Number(outputs[GateOutput.ComponentsNotEvaluated]),
    };
  }
  if (outputs[GateOutput.Findings]) result.findings = outputs[GateOutput.Findings];
  if (outputs[GateOutput.Sarif]) result.sarif = outputs[GateOutput.Sarif];
  return result;
}

/**
 * A subcommand over an action's step: loads the workspace state (what earlier subcommands did),
 * authenticates, points reporting at GitHub when outside Actions, reads the settings exactly as
 * the action does, runs the step, and records what it exported for the next subcommand. A
 * returned failure (a failed gate) exits 2.
 */
export function stepCommand<S>(spec: StepCommandSpec<S>, extra: readonly FlagSpec[] = []): Command {
  let flags: FlagSpec[] | undefined;
  return {
    name: spec.name,
    summary: spec.summary,
    action: spec.action,
    // Built on first use: a CLI built without this action's action.yml leaves the command out.
    get flags() {
      flags ??= buildFlags(spec.action, [
        ...(spec.authenticates ? authFlags() : []),
        ...(spec.reports ? REPORT_TARGET_FLAGS : []),
        ...extra,
      ]);
      return flags;
    },
    async run(ctx: CommandContext) {
      const { runtime, env } = ctx;
      const packagesInput = ctx.inputs.packages;
      if (spec.readsState) ctx.state.load(env, packagesInput);
      // The findings and SARIF files go where a runner's temporary files would: in Jenkins, the
      // workspace's .airlock/, where the job can archive them.
      env[RunnerEnv.RunnerTemp] ||= ctx.state.dir;
      if (spec.authenticates) await authenticateIfAsked(ctx);
      if (spec.reports) prepareReporting(ctx);
      const settings = await readSettings(() => spec.read(runtime));
      const before = { ...env };
      const failure = await spec.run(runtime, settings, { ...ctx.deps, cwd: ctx.cwd });
      ctx.state.save(env, before, packagesInput);
      const outputs = runtime.outputs();
      if (outputs[PromoteOutput.Promoted]) {
        ctx.state.write(StateFile.Promote, {
          promoted: JSON.parse(outputs[PromoteOutput.Promoted]) as unknown[],
        });
      }
      const result = resultFromOutputs(outputs, packagesInput ?? env[StepEnv.Packages]);
      return { exitCode: failure ? 2 : 0, summary: spec.describe(result, failure), result };
    },
  };
}
