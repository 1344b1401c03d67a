import type { ConnectionSettings } from '../config/connection.js';
import { GateOutput } from '../config/names.js';
import type { PipelineSettings } from '../config/pipeline.js';
import { errorMessage } from '../client/errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { authenticate, type AuthResult } from './auth.js';
import { connect, type StepDeps } from './connect.js';
import { failedPackages, runGate, type GateStepResult } from './gate.js';
import {
  checkDestination,
  failVerdictForRefusals,
  promotePackages,
  type PromoteResult,
  type PromotionRecord,
} from './promote.js';
import { pushPackages, type PushDeps, type PushResult } from './push.js';
import { publishReport, type ReportDeps, type ReportResult } from './report.js';

/** Injected parts of every step the pipeline runs. */
export type PipelineDeps = PushDeps & ReportDeps & StepDeps;

/** What the pipeline did, step by step. */
export interface PipelineResult {
  /** Absent when the credential came from an earlier auth step. */
  auth?: AuthResult;
  push: PushResult;
  gate: GateStepResult;
  /** Absent when there was nothing to promote or quarantine. */
  promotions?: PromotionRecord[];
  report: ReportResult;
}

async function establish(
  runtime: Runtime,
  settings: PipelineSettings,
  deps: PipelineDeps,
): Promise<{ connection: ConnectionSettings; auth?: AuthResult }> {
  if (!settings.auth) return { connection: settings.connection! };
  const auth = await runtime.group('Authenticate', () => authenticate(runtime, settings.auth!, deps));
  return {
    auth,
    connection: { apiUrl: settings.auth.apiUrl, apiKey: auth.token, retries: settings.auth.retries },
  };
}

/**
 * The whole gate in one step: auth → push → wait and gate → promote (or quarantine) → report.
 * The destination is checked before anything is pushed. A package the destination's promotion
 * rules refuse turns the verdict into a failed gate with the refusal as its reason (the `result`
 * output says `fail`). When promotion fails otherwise the report is
 * still published (with the failure) before the error ends the step. The caller fails the step
 * when the verdict is `fail`.
 */
export async function runPipeline(
  runtime: Runtime,
  settings: PipelineSettings,
  deps: PipelineDeps = {},
): Promise<PipelineResult> {
  const { connection, auth } = await establish(runtime, settings, deps);
  const client = connect(runtime, connection, deps);
  const { owner, repo } = settings.push;
  const { destination, mode, quarantineOnFail } = settings.promote;
  if (destination) await checkDestination(client, owner, destination);

  const push = await runtime.group('Push', () =>
    pushPackages(runtime, client, { ...settings.push, connection }, deps),
  );
  const gate = await runtime.group('Wait for the scans and judge', () =>
    runGate(runtime, client, { owner, repo, packages: push.packages, ...settings.gate }, deps),
  );
  const result = gate.verdict.result;

  let promotions: PromotionRecord[] | undefined;
  let promotionError: unknown;
  let refusals: PromoteResult['refusals'] = [];
  if ((result === 'pass' && destination) || (result === 'fail' && (destination || quarantineOnFail))) {
    try {
      ({ promotions, refusals } = await runtime.group(result === 'pass' ? 'Promote' : 'Hold back', () =>
        promotePackages(
          runtime,
          client,
          {
            owner,
            repo,
            destination,
            mode,
            tags: settings.push.tags,
            quarantineOnFail,
            waitTimeoutSec: settings.gate.waitTimeoutSec,
            packages: push.packages,
            gateResult: result,
            failed: failedPackages(gate.report),
            retries: connection.retries,
          },
          deps,
        ),
      ));
    } catch (err) {
      promotionError = err;
      promotions = push.packages.map((p) => ({
        slug_perm: p.slug_perm,
        name: p.name,
        version: p.version,
        status: 'failed' as const,
        detail: errorMessage(err),
      }));
    }
  }
  // A package the destination's promotion rules refuse fails the gate, with the refusal as reason.
  const verdict = failVerdictForRefusals(
    gate.verdict,
    (promotions ?? []).filter((p) => p.refused),
    refusals,
  );
  if (verdict !== gate.verdict) runtime.setOutput(GateOutput.Result, verdict.result);
  const report = await publishReport(
    runtime,
    settings.report,
    { verdict, promotions, summary: 'full', checkRun: true },
    deps,
  );
  if (promotionError !== undefined) throw promotionError;
  return {
    ...(auth ? { auth } : {}),
    push,
    gate: { ...gate, verdict },
    ...(promotions ? { promotions } : {}),
    report,
  };
}
