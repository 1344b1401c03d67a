import { RunnerEnv } from '../../config/names.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { ActionOutcome, ActionResult } from '../../steps/run.js';
import { readSettings, type CliDeps, type Command, type CommandContext } from '../command.js';
import { authenticateIfAsked, authFlags } from '../credentials.js';
import { buildFlags, type FlagSpec } from '../flags.js';
import { prepareReporting, REPORT_TARGET_FLAGS } from '../reporting.js';

/** Runs an action's step; resolves with what it did and the message of a failed gate, if any. */
export type StepRunner<S> = (
  runtime: Runtime,
  settings: S,
  deps: CliDeps & { cwd: string },
) => Promise<ActionOutcome>;

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
  read(runtime: Runtime): S | Promise<S>;
  /**
   * Loads the action's step (a dynamic import: the bundler keeps it in a chunk of its own), so the
   * flags and inputs are read and checked before any HTTP client or reporting code is loaded.
   */
  load(): Promise<StepRunner<S>>;
  /** The line that says what happened, from the step's outputs. */
  describe(result: Record<string, unknown>, failure: string | undefined): string;
}

/**
 * The JSON result's fields from what an action did: `verdict` and `counts` (the gate's), `packages`,
 * `promoted`, `components` (evaluated and not, when the repository reports coverage), and the
 * `findings` and `sarif` file paths. Never a credential.
 */
export function resultFields(result: ActionResult): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const gate = result.gate;
  if (gate) {
    const t = gate.verdict.totals;
    fields.verdict = gate.verdict.result;
    fields.counts = { critical: t.critical, high: t.high, medium: t.medium, low: t.low, unknown: t.unknown };
  }
  fields.packages = result.packages;
  if (result.promotions) fields.promoted = result.promotions;
  // Left out when no package's repository reported coverage: zero would claim a count nobody made.
  const coverage = gate?.verdict.coverage;
  if (coverage && coverage.reported > 0) {
    fields.components = { evaluated: coverage.evaluated, notEvaluated: coverage.notEvaluated };
  }
  if (gate) {
    fields.findings = gate.findingsPath;
    fields.sarif = gate.sarifPath;
  }
  return fields;
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
      const run = await spec.load();
      const outcome = await run(runtime, settings, { ...ctx.deps, cwd: ctx.cwd });
      ctx.state.record(outcome.result);
      const result = resultFields(outcome.result);
      return {
        exitCode: outcome.failure ? 2 : 0,
        summary: spec.describe(result, outcome.failure),
        result,
      };
    },
  };
}
