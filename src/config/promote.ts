import { parseDuration } from '../policy/parse-inputs.js';
import type { GateResult } from '../policy/verdict.js';
import type { InputSource } from '../runtime/runtime.js';
import type { PushedPackage } from '../steps/types.js';
import { inputOrEnv, readConnection, readRepository, type ConnectionSettings } from './connection.js';
import { PromoteInput, StepDefaults, StepEnv } from './names.js';
import { readPackages } from './packages.js';
import { parseTags } from './push.js';
import { readBoolean, readReportSettings, type ReportSettings } from './report.js';

/** How packages are promoted: a copy (the original stays) or a move. */
export type PromoteMode = 'copy' | 'move';

/** What promotion does, wherever the packages come from. */
export interface PromoteOptions {
  /** Repository slug (same namespace) to promote to. */
  destination: string;
  mode: PromoteMode;
  /** Tags each promoted package must carry (only missing ones are added). */
  tags: string[];
  /** Quarantine the packages that failed the gate. */
  quarantineOnFail: boolean;
  /** Longest wait for a promoted package to be fully synchronised, in seconds. */
  waitTimeoutSec: number;
}

/** The `promote` action's settings. */
export interface PromoteActionSettings extends PromoteOptions {
  connection: ConnectionSettings;
  owner: string;
  repo: string;
  packages: PushedPackage[];
  gateResult: GateResult;
  /** The gate's findings file, when a gate step ran earlier in the job. */
  gateFindings?: string;
  report: ReportSettings;
}

/** `mode`: copy or move. */
export function parseMode(input: string, value: string): PromoteMode {
  const v = value.trim().toLowerCase() || StepDefaults.Mode;
  if (v === 'copy' || v === 'move') return v;
  throw new Error(
    `Input ${input}: '${value}' is not a mode; use copy (the package stays where it is) or move.`,
  );
}

/** A repository slug naming the destination; empty is allowed only when `required` is false. */
export function parseDestination(input: string, value: string, required: boolean): string {
  const v = value.trim();
  if (!v && required) {
    throw new Error(`Input ${input} is required: give the slug of the repository to promote to, e.g. prod.`);
  }
  if (v && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v)) {
    throw new Error(
      `Input ${input}: '${v}' is not a repository slug; give the slug of a repository in the same organisation, e.g. prod.`,
    );
  }
  return v;
}

/** `gate-result`: pass or fail, or what an earlier gate step exported. */
export function parseGateResult(input: string, value: string): GateResult {
  const v = value.trim().toLowerCase();
  if (v === 'pass' || v === 'fail') return v;
  if (!v) {
    throw new Error(
      `Input ${input} is required: run the gate action earlier in the job (it exports ${StepEnv.GateResult}) or give pass or fail.`,
    );
  }
  throw new Error(`Input ${input}: '${value}' is not a gate result; use pass or fail.`);
}

/** Throws when the destination is the repository the packages are already in. */
export function checkDistinct(destination: string, repo: string): void {
  if (destination && destination === repo) {
    throw new Error(
      `Input ${PromoteInput.Destination}: '${destination}' is the repository the packages are in; give another repository, e.g. prod.`,
    );
  }
}

/** Reads `mode`, `tags`, `quarantine-on-fail` and `wait-timeout` (and `destination`). */
export function readPromoteOptions(runtime: InputSource): PromoteOptions {
  return {
    destination: parseDestination(PromoteInput.Destination, runtime.getInput(PromoteInput.Destination), true),
    mode: parseMode(PromoteInput.Mode, runtime.getInput(PromoteInput.Mode)),
    tags: parseTags(PromoteInput.Tags, runtime.getInput(PromoteInput.Tags)),
    quarantineOnFail: readBoolean(runtime, PromoteInput.QuarantineOnFail, false),
    waitTimeoutSec: parseDuration(
      runtime.getInput(PromoteInput.WaitTimeout) || StepDefaults.PromoteWaitTimeout,
      `Input ${PromoteInput.WaitTimeout}`,
    ),
  };
}

/** Reads every input of the `promote` action. */
export function readPromoteSettings(runtime: InputSource): PromoteActionSettings {
  const connection = readConnection(runtime);
  const { owner, repo } = readRepository(
    runtime,
    { owner: PromoteInput.Owner, repo: PromoteInput.Repo },
    { owner: StepEnv.Owner, repo: StepEnv.Repo },
  );
  const packages = readPackages(runtime, PromoteInput.Packages);
  const options = readPromoteOptions(runtime);
  checkDistinct(options.destination, repo);
  const gateResult = parseGateResult(
    PromoteInput.GateResult,
    inputOrEnv(runtime, PromoteInput.GateResult, StepEnv.GateResult),
  );
  const gateFindings = runtime.getEnv(StepEnv.GateFindings) || undefined;
  return {
    connection,
    owner,
    repo,
    packages,
    ...options,
    gateResult,
    ...(gateFindings ? { gateFindings } : {}),
    report: readReportSettings(runtime),
  };
}
