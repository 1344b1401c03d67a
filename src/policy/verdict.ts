import type { AllowlistEntry } from './allowlist.js';
import type { CoverageCheck } from './coverage.js';
import type { Finding, ScanStatus } from './findings.js';
import type { LicenseCheck } from './licenses.js';
import type { GateSettings } from './settings.js';
import type { Level, SeverityCounts } from './severity.js';

/** Pass or fail: the gate's answer, for one package or for all of them. */
export type GateResult = 'pass' | 'fail';

/**
 * What the rules did with a finding:
 * - `deciding`: counted, and its level went over what is allowed, so it fails the gate;
 * - `tolerated`: counted, but within what is allowed;
 * - `allowlisted`: suppressed by an allowlist entry;
 * - `unfixed`: no fixed version, and `ignoreUnfixed` is on;
 * - `ignored`: unknown severity, and `unknownSeverity` is `ignore`.
 */
export type Disposition = 'deciding' | 'tolerated' | 'allowlisted' | 'unfixed' | 'ignored';

/** A finding with the level it counted as and what the rules did with it. */
export interface EvaluatedFinding extends Finding {
  /** The level the finding counted as (unknown mapped by settings), or null when it did not count. */
  effectiveLevel: Level | null;
  disposition: Disposition;
  /** The allowlist entry that suppressed it, for `allowlisted`. */
  allowlistEntry?: AllowlistEntry;
}

/** How one level fared against its limit in one package. */
export interface LevelCheck {
  level: Level;
  /** Findings counted at this level. */
  count: number;
  /** How many are allowed; null when any number is. */
  allowed: number | null;
  /** The setting the limit comes from (`fail-on` or `max-<level>`). */
  limitSource: 'fail-on' | `max-${Level}` | null;
  exceeded: boolean;
}

/** The gate's judgement of one package. */
export interface PackageVerdict {
  name: string;
  version: string;
  format: string;
  filename?: string;
  url?: string;
  scanStatus: ScanStatus;
  scanDetail?: string;
  result: GateResult;
  /** Sentences saying why the package failed; empty when it passed. */
  reasons: string[];
  /** Sentences about things that did not fail it but deserve a look (fail-open, unscanned, …). */
  notes: string[];
  /** Every finding by reported severity: what is shown. */
  counts: SeverityCounts;
  /** Findings counted against the limits, by the level they counted as. */
  gatedCounts: Record<Level, number>;
  levels: LevelCheck[];
  /** Every finding, each with its disposition. */
  findings: EvaluatedFinding[];
  license: LicenseCheck;
  /** What the scan covered and whether that was enough; absent in findings files of older versions. */
  coverage?: CoverageCheck;
}

/** A finding an allowlist entry suppressed. */
export interface SuppressedFinding {
  package: string;
  version: string;
  finding: Finding;
  entry: AllowlistEntry;
}

/** An entry past its `expires`: not applied. */
export interface ExpiredEntry {
  entry: AllowlistEntry;
  /** How many findings it would have suppressed had it not expired. */
  wouldHaveSuppressed: number;
}

/** What the allowlist did. */
export interface AllowlistEffects {
  suppressed: SuppressedFinding[];
  expired: ExpiredEntry[];
  /** Unexpired entries that matched no finding: candidates for removal. */
  stale: AllowlistEntry[];
}

/** Components evaluated over the packages whose repository reported coverage. */
export interface CoverageTotals {
  /** Packages whose scan reported coverage; the counts are over these. */
  reported: number;
  evaluated: number;
  notEvaluated: number;
  /** Packages whose coverage was incomplete (whether or not that failed them). */
  incomplete: number;
}

/** The gate's judgement of a set of packages. */
export interface Verdict {
  result: GateResult;
  /** Sentences explaining the result: every failure, or why it passed. */
  reasons: string[];
  /** Sentences that did not decide the result but deserve a look (every package's notes, expired and stale allowlist entries). */
  notes: string[];
  packages: PackageVerdict[];
  /** Every finding of every package by reported severity. */
  totals: SeverityCounts;
  allowlist: AllowlistEffects;
  /** Coverage over every package; absent in findings files of older versions. */
  coverage?: CoverageTotals;
  /** The settings the verdict was reached with. */
  settings: GateSettings;
  /** When the verdict was reached (ISO 8601): the instant allowlist expiry was judged at. */
  evaluatedAt: string;
}

/** The findings that decided a package's failure. */
export function decidingFindings(pkg: PackageVerdict): EvaluatedFinding[] {
  return pkg.findings.filter((f) => f.disposition === 'deciding');
}
