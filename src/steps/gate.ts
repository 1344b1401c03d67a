import fs from 'node:fs';
import path from 'node:path';
import type { RepositoryClient } from '../client/client.js';
import { ApiError } from '../client/errors.js';
import { GateOutput, StepEnv } from '../config/names.js';
import { readCoverage, type ScanCoverage } from '../policy/coverage.js';
import { findingsFromScanResults, type Finding, type PackageScan } from '../policy/findings.js';
import { evaluateGate } from '../policy/gate.js';
import type { GateSettings } from '../policy/settings.js';
import type { PackageVerdict, Verdict } from '../policy/verdict.js';
import { coverageSentence } from '../report/coverage.js';
import { buildSarif } from '../report/sarif.js';
import type { Runtime } from '../runtime/runtime.js';
import type { StepDeps } from './connect.js';
import type { PushedPackage } from './types.js';
import { waitForScans, type ScanWait } from './wait.js';

/** What the gate step judges, and by which rules. */
export interface GateOptions {
  owner: string;
  repo: string;
  packages: readonly PushedPackage[];
  waitTimeoutSec: number;
  rules: GateSettings;
  /** Folder the findings and SARIF files are written in (a fresh subfolder each run). */
  outputDir: string;
}

/** The verdict, with each package's permanent id: the findings file's content. */
export interface GateReport extends Omit<Verdict, 'packages'> {
  packages: (PackageVerdict & { slug_perm: string })[];
}

/** What the gate step decided and where it wrote it. */
export interface GateStepResult {
  verdict: Verdict;
  report: GateReport;
  scans: ScanWait[];
  /** The findings file: {@link GateReport} as JSON. */
  findingsPath: string;
  /** The SARIF 2.1.0 file: one run per package. */
  sarifPath: string;
}

/** What the newest scan results say: the findings and, when the repository reports it, the coverage. */
interface ScanRead {
  findings: Finding[];
  coverage?: ScanCoverage;
  problem?: string;
}

/**
 * Reads the newest scan results of a finished scan. A clean scan is read too, for its coverage:
 * "no vulnerabilities" means nothing when nothing could be evaluated. A repository that keeps no
 * results for a clean scan (or does not report coverage) leaves the coverage unreported.
 */
async function readScan(client: RepositoryClient, options: GateOptions, scan: ScanWait): Promise<ScanRead> {
  const found = scan.securityScanStatus === 'Scan Detected Vulnerabilities';
  const id = scan.package.slug_perm;
  let detail;
  try {
    const list = await client.listVulnerabilities(options.owner, options.repo, id);
    const newest = list[0];
    if (!newest) {
      return found
        ? { findings: [], problem: 'the repository reports vulnerabilities but lists no scan results' }
        : { findings: [] };
    }
    detail = await client.getVulnerabilities(options.owner, options.repo, id, newest.identifier);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      return found
        ? { findings: [], problem: `the scan results could not be read (${err.message})` }
        : { findings: [] };
    }
    throw err;
  }
  const findings = findingsFromScanResults(detail);
  try {
    const coverage = readCoverage('coverage' in detail ? detail.coverage : undefined);
    return { findings, ...(coverage ? { coverage } : {}) };
  } catch (err) {
    // A coverage report the gate cannot read must not pass as a complete scan.
    return { findings, problem: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * A finding's file as a path in the project that was packed: an npm tarball keeps the project
 * under `package/`, an sdist under `<name>-<version>/`. Check-run annotations and SARIF point
 * at the repository, where that prefix does not exist.
 */
export function projectPath(format: string, filename: string, file: string): string {
  if (format === 'npm') return file.replace(/^package\//, '');
  if (format === 'python' && /\.(tar\.gz|zip)$/i.test(filename)) return file.replace(/^[^/]+-[^/]+\//, '');
  return file;
}

function inProject(findings: Finding[], format: string, filename: string): Finding[] {
  return findings.map((f) =>
    f.location
      ? { ...f, location: { ...f.location, path: projectPath(format, filename, f.location.path) } }
      : f,
  );
}

function inProjectCoverage(coverage: ScanCoverage, format: string, filename: string): ScanCoverage {
  return {
    ...coverage,
    notEvaluatedComponents: coverage.notEvaluatedComponents.map((c) =>
      c.location
        ? { ...c, location: { ...c.location, path: projectPath(format, filename, c.location.path) } }
        : c,
    ),
  };
}

async function toPackageScan(
  client: RepositoryClient,
  options: GateOptions,
  scan: ScanWait,
): Promise<PackageScan> {
  const pkg = scan.latest;
  const item = scan.package;
  const base = {
    name: pkg?.name ?? item.name,
    version: pkg?.version ?? item.version,
    format: pkg?.format ?? item.format,
    filename: pkg?.filename ?? item.filename,
    url: item.url || pkg?.self_url || '',
    license: pkg ? (pkg.spdx_license ?? pkg.license ?? pkg.raw_license) : null,
  };
  if (scan.status !== 'complete') {
    return {
      ...base,
      scanStatus: scan.status,
      ...(scan.detail ? { scanDetail: scan.detail } : {}),
      findings: [],
    };
  }
  const { findings, coverage, problem } = await readScan(client, options, scan);
  if (problem) return { ...base, scanStatus: 'error', scanDetail: problem, findings };
  return {
    ...base,
    scanStatus: 'complete',
    findings: inProject(findings, base.format, base.filename),
    ...(coverage ? { coverage: inProjectCoverage(coverage, base.format, base.filename) } : {}),
  };
}

/** Writes the findings and SARIF files into a fresh folder under `dir`. */
function writeFiles(
  dir: string,
  report: GateReport,
  verdict: Verdict,
): { findingsPath: string; sarifPath: string } {
  fs.mkdirSync(dir, { recursive: true });
  const folder = fs.mkdtempSync(path.join(dir, 'airlock-gate-'));
  const findingsPath = path.join(folder, 'findings.json');
  const sarifPath = path.join(folder, 'airlock.sarif');
  fs.writeFileSync(findingsPath, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(sarifPath, `${JSON.stringify(buildSarif(verdict, { category: 'airlock' }), null, 2)}\n`);
  return { findingsPath, sarifPath };
}

/**
 * The `gate` step: waits (bounded) for the repository's scans, reads the newest scan results of
 * each package (findings and, where the repository reports it, coverage), and judges them with
 * the gate's rules — everything found is reported, only the thresholds and an incomplete scan
 * decide. Sets `components-evaluated`/`-not-evaluated` (empty without coverage). Writes the findings (JSON) and SARIF files, sets the outputs and exports
 * the result and the findings file for a later promote step. Reporting is the report step's.
 */
export async function runGate(
  runtime: Runtime,
  client: RepositoryClient,
  options: GateOptions,
  deps: StepDeps = {},
): Promise<GateStepResult> {
  const now = deps.now ?? Date.now;
  const scans = await waitForScans(
    runtime,
    client,
    options.packages,
    { owner: options.owner, repo: options.repo, timeoutSec: options.waitTimeoutSec },
    deps,
  );
  const packageScans = await Promise.all(scans.map((scan) => toPackageScan(client, options, scan)));
  const verdict = evaluateGate(packageScans, options.rules, new Date(now()));
  const report: GateReport = {
    ...verdict,
    packages: verdict.packages.map((p, i) => ({ slug_perm: options.packages[i]!.slug_perm, ...p })),
  };
  const { findingsPath, sarifPath } = writeFiles(options.outputDir, report, verdict);

  const t = verdict.totals;
  runtime.setOutput(GateOutput.Result, verdict.result);
  runtime.setOutput(GateOutput.Critical, String(t.critical));
  runtime.setOutput(GateOutput.High, String(t.high));
  runtime.setOutput(GateOutput.Medium, String(t.medium));
  runtime.setOutput(GateOutput.Low, String(t.low));
  runtime.setOutput(GateOutput.Unknown, String(t.unknown));
  runtime.setOutput(GateOutput.Findings, findingsPath);
  runtime.setOutput(GateOutput.Sarif, sarifPath);
  // Empty when no package's repository reported coverage: zero would claim a count nobody made.
  const coverage = verdict.coverage;
  const reported = coverage !== undefined && coverage.reported > 0;
  runtime.setOutput(GateOutput.ComponentsEvaluated, reported ? String(coverage.evaluated) : '');
  runtime.setOutput(GateOutput.ComponentsNotEvaluated, reported ? String(coverage.notEvaluated) : '');
  runtime.exportVariable(StepEnv.GateResult, verdict.result);
  runtime.exportVariable(StepEnv.GateFindings, findingsPath);

  runtime.info(
    `Gate ${verdict.result === 'pass' ? 'passed' : 'failed'}: ${t.critical} critical, ${t.high} high, ${t.medium} medium, ${t.low} low, ${t.unknown} unknown; ${coverageSentence(verdict)}.\n` +
      verdict.reasons.map((r) => `  ${r}`).join('\n'),
  );
  for (const note of verdict.notes) runtime.warning(note);
  return { verdict, report, scans, findingsPath, sarifPath };
}

/** The message a failed gate ends the step with. */
export function gateFailureMessage(verdict: Verdict): string {
  return `The gate failed: ${verdict.reasons.join(' ')}`;
}

/**
 * Reads the findings file an earlier gate step wrote (its path is exported for later steps);
 * throws naming the file when it is not one.
 */
export function readGateReport(file: string): GateReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `Cannot read the gate's findings file ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const report = parsed as Partial<GateReport> | null;
  if (!report || (report.result !== 'pass' && report.result !== 'fail') || !Array.isArray(report.packages)) {
    throw new Error(`${file} is not a findings file written by the gate step.`);
  }
  return report as GateReport;
}

/** The ids of the packages a gate report failed. */
export function failedPackages(report: GateReport): Set<string> {
  return new Set(report.packages.filter((p) => p.result === 'fail').map((p) => p.slug_perm));
}
