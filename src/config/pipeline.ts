import type { InputSource } from '../runtime/runtime.js';
import { readAuthSettings, type AuthSettings } from './auth.js';
import { readConnection, type ConnectionSettings } from './connection.js';
import { readGateRules, type GateRules } from './gate.js';
import { AuthInput, PromoteInput } from './names.js';
import { checkDistinct, parseDestination, parseMode, type PromoteMode } from './promote.js';
import { readPushOptions, type PushOptions } from './push.js';
import { readBoolean, readReportSettings, type ReportSettings } from './report.js';

/** What the pipeline promotes to, and what it does on a failed gate. */
export interface PipelinePromotion {
  /** Empty: nothing is promoted (the gate still decides the step's result). */
  destination: string;
  mode: PromoteMode;
  quarantineOnFail: boolean;
}

/** The root action's settings: every step's, read once before anything runs. */
export interface PipelineSettings {
  /** How to authenticate; null reuses the credential an earlier auth step exported. */
  auth: AuthSettings | null;
  /** The exported credential, when `auth` is null. */
  connection: ConnectionSettings | null;
  push: PushOptions;
  gate: GateRules;
  promote: PipelinePromotion;
  report: ReportSettings;
}

/**
 * Reads every input of the root action (the union of auth, push, gate and promote), so a bad
 * input fails the step before anything is uploaded. Without `org`/`service-slug` or `api-key`
 * the credential an earlier auth step exported is used. `owner` defaults to `org`; the push
 * `tags` are also the tags promoted packages must carry.
 */
export async function readPipelineSettings(runtime: InputSource): Promise<PipelineSettings> {
  const org = runtime.getInput(AuthInput.Org);
  const useAuth = Boolean(
    org || runtime.getInput(AuthInput.ServiceSlug) || runtime.getInput(AuthInput.ApiKey),
  );
  const auth = useAuth ? readAuthSettings(runtime) : null;
  const connection = auth ? null : readConnection(runtime);
  const push = readPushOptions(runtime, org);
  const gate = await readGateRules(runtime);
  const destination = parseDestination(
    PromoteInput.Destination,
    runtime.getInput(PromoteInput.Destination),
    false,
  );
  checkDistinct(destination, push.repo);
  return {
    auth,
    connection,
    push,
    gate,
    promote: {
      destination,
      mode: parseMode(PromoteInput.Mode, runtime.getInput(PromoteInput.Mode)),
      quarantineOnFail: readBoolean(runtime, PromoteInput.QuarantineOnFail, false),
    },
    report: readReportSettings(runtime),
  };
}
