import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AllowlistEntry } from '../policy/allowlist.js';
import {
  parseAge,
  parseCount,
  parseDuration,
  parseFailOn,
  parseOnFailure,
  parseUnknownSeverity,
} from '../policy/parse-inputs.js';
import { DEFAULT_MAX_ADVISORY_AGE, resolveGateSettings, type GateSettings } from '../policy/settings.js';
import type { InputSource } from '../runtime/runtime.js';
import type { PushedPackage } from '../steps/types.js';
import { readConnection, readRepository, type ConnectionSettings } from './connection.js';
import { GateInput, RunnerEnv, StepDefaults, StepEnv } from './names.js';
import { readPackages } from './packages.js';
import { readBoolean, readReportSettings, type ReportSettings } from './report.js';

/** The gate's rules and how long it waits: what the gate and the pipeline share. */
export interface GateRules {
  /** Longest wait for the repository's scans, in seconds. */
  waitTimeoutSec: number;
  rules: GateSettings;
  /** Where the findings and SARIF files go (`RUNNER_TEMP`, else the system's temporary folder). */
  outputDir: string;
}

/** The `gate` action's settings. */
export interface GateActionSettings extends GateRules {
  connection: ConnectionSettings;
  owner: string;
  repo: string;
  packages: PushedPackage[];
  report: ReportSettings;
}

/** `Input <name>`: how parse errors name an input. */
function named(input: string): string {
  return `Input ${input}`;
}

/**
 * Reads the allowlist file the input names; an empty input is an empty allowlist. The YAML parser
 * is loaded only here, when a job has an allowlist: most runs never need it.
 */
export async function readAllowlistFile(input: string, file: string): Promise<AllowlistEntry[]> {
  if (!file) return [];
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(file), 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Input ${input}: cannot read '${file}' (${reason}); give the path of a YAML allowlist file relative to the workspace, e.g. .github/airlock-allowlist.yml.`,
    );
  }
  const { parseAllowlist } = await import('../policy/parse-allowlist.js');
  return parseAllowlist(text, `Input ${input} (${file})`);
}

/** `deny-licenses`, checked against the SPDX list, which is loaded only when the input is set. */
async function readDenyLicenses(text: string, name: string): Promise<string[]> {
  if (!text.trim()) return [];
  const { parseLicenseList } = await import('../policy/parse-licenses.js');
  return parseLicenseList(text, name);
}

/**
 * Reads the wait and the gate's rules; each malformed input throws a message naming it and its
 * accepted forms. Every input is read before the allowlist and license parsers load, so a bad
 * value of any other input fails without loading them.
 */
export async function readGateRules(runtime: InputSource): Promise<GateRules> {
  const waitTimeout = runtime.getInput(GateInput.WaitTimeout) || StepDefaults.WaitTimeout;
  const allowlistFile = runtime.getInput(GateInput.Allowlist);
  const denyLicenses = runtime.getInput(GateInput.DenyLicenses);
  const rules = {
    failOn: parseFailOn(runtime.getInput(GateInput.FailOn) || 'high', named(GateInput.FailOn)),
    maxCritical: parseCount(runtime.getInput(GateInput.MaxCritical), named(GateInput.MaxCritical)),
    maxHigh: parseCount(runtime.getInput(GateInput.MaxHigh), named(GateInput.MaxHigh)),
    maxMedium: parseCount(runtime.getInput(GateInput.MaxMedium), named(GateInput.MaxMedium)),
    maxLow: parseCount(runtime.getInput(GateInput.MaxLow), named(GateInput.MaxLow)),
    ignoreUnfixed: readBoolean(runtime, GateInput.IgnoreUnfixed, false),
    unknownSeverity: parseUnknownSeverity(
      runtime.getInput(GateInput.UnknownSeverity) || 'ignore',
      named(GateInput.UnknownSeverity),
    ),
    unknownLicense: parseOnFailure(
      runtime.getInput(GateInput.UnknownLicense) || 'pass',
      named(GateInput.UnknownLicense),
    ),
    onTimeout: parseOnFailure(runtime.getInput(GateInput.OnTimeout) || 'fail', named(GateInput.OnTimeout)),
    onScanError: parseOnFailure(
      runtime.getInput(GateInput.OnScanError) || 'fail',
      named(GateInput.OnScanError),
    ),
    onIncomplete: parseOnFailure(
      runtime.getInput(GateInput.OnIncomplete) || 'fail',
      named(GateInput.OnIncomplete),
    ),
    maxAdvisoryAgeSec: parseAge(
      runtime.getInput(GateInput.MaxAdvisoryAge) || DEFAULT_MAX_ADVISORY_AGE,
      named(GateInput.MaxAdvisoryAge),
    ),
  };
  const waitTimeoutSec = parseDuration(waitTimeout, named(GateInput.WaitTimeout));
  return {
    waitTimeoutSec,
    rules: resolveGateSettings({
      ...rules,
      allowlist: await readAllowlistFile(GateInput.Allowlist, allowlistFile),
      denyLicenses: await readDenyLicenses(denyLicenses, named(GateInput.DenyLicenses)),
    }),
    outputDir: runtime.getEnv(RunnerEnv.RunnerTemp) || os.tmpdir(),
  };
}

/** Reads every input of the `gate` action. */
export async function readGateSettings(runtime: InputSource): Promise<GateActionSettings> {
  const connection = readConnection(runtime);
  const { owner, repo } = readRepository(
    runtime,
    { owner: GateInput.Owner, repo: GateInput.Repo },
    { owner: StepEnv.Owner, repo: StepEnv.Repo },
  );
  const packages = readPackages(runtime, GateInput.Packages);
  const rules = await readGateRules(runtime);
  return {
    connection,
    owner,
    repo,
    packages,
    ...rules,
    report: readReportSettings(runtime),
  };
}
