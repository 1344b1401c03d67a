import { describeEntry, entryMatches, isExpired, type AllowlistEntry, type PackageRef } from './allowlist.js';
import { checkCoverage, notScanned, type CoverageCheck } from './coverage.js';
import type { Finding, PackageScan } from './findings.js';
import { checkLicense, type LicenseCheck } from './licenses.js';
import { maxFor, type GateSettings } from './settings.js';
import { addCounts, emptyCounts, isAtLeast, LEVELS, type Level } from './severity.js';
import type {
  CoverageTotals,
  EvaluatedFinding,
  ExpiredEntry,
  LevelCheck,
  PackageVerdict,
  SuppressedFinding,
  Verdict,
} from './verdict.js';

/** Allowlist bookkeeping shared by every package of one evaluation. */
class AllowlistLedger {
  readonly active: AllowlistEntry[];
  readonly expired: AllowlistEntry[];
  readonly used = new Set<AllowlistEntry>();
  readonly wouldHave = new Map<AllowlistEntry, number>();
  readonly suppressed: SuppressedFinding[] = [];

  constructor(entries: readonly AllowlistEntry[], now: Date) {
    this.active = entries.filter((e) => !isExpired(e, now));
    this.expired = entries.filter((e) => isExpired(e, now));
  }

  /** The first active entry covering the finding; records every entry (active or expired) that matches. */
  suppressor(pkg: PackageRef, finding: Finding): AllowlistEntry | undefined {
    for (const e of this.expired) {
      if (entryMatches(e, pkg, finding)) this.wouldHave.set(e, (this.wouldHave.get(e) ?? 0) + 1);
    }
    const matching = this.active.filter((e) => entryMatches(e, pkg, finding));
    for (const e of matching) this.used.add(e);
    const first = matching[0];
    if (first) this.suppressed.push({ package: pkg.name, version: pkg.version, finding, entry: first });
    return first;
  }

  expiredEntries(): ExpiredEntry[] {
    return this.expired.map((entry) => ({ entry, wouldHaveSuppressed: this.wouldHave.get(entry) ?? 0 }));
  }

  staleEntries(): AllowlistEntry[] {
    return this.active.filter((e) => !this.used.has(e));
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function classify(
  finding: Finding,
  pkg: PackageRef,
  settings: GateSettings,
  ledger: AllowlistLedger,
): EvaluatedFinding {
  const entry = ledger.suppressor(pkg, finding);
  if (entry) return { ...finding, effectiveLevel: null, disposition: 'allowlisted', allowlistEntry: entry };
  if (settings.ignoreUnfixed && !finding.fixedVersion) {
    return { ...finding, effectiveLevel: null, disposition: 'unfixed' };
  }
  const level = finding.severity === 'unknown' ? settings.unknownSeverity : finding.severity;
  if (level === 'ignore') return { ...finding, effectiveLevel: null, disposition: 'ignored' };
  return { ...finding, effectiveLevel: level, disposition: 'tolerated' };
}

function checkLevel(level: Level, findings: EvaluatedFinding[], settings: GateSettings): LevelCheck {
  const count = findings.filter((f) => f.effectiveLevel === level).length;
  const max = maxFor(settings, level);
  if (max !== undefined) {
    return { level, count, allowed: max, limitSource: `max-${level}`, exceeded: count > max };
  }
  if (settings.failOn !== 'none' && isAtLeast(level, settings.failOn)) {
    return { level, count, allowed: 0, limitSource: 'fail-on', exceeded: count > 0 };
  }
  return { level, count, allowed: null, limitSource: null, exceeded: false };
}

function levelReason(
  label: string,
  check: LevelCheck,
  findings: EvaluatedFinding[],
  settings: GateSettings,
): string {
  const unknown = findings.filter((f) => f.effectiveLevel === check.level && f.severity === 'unknown').length;
  const counted = unknown > 0 ? ` (${unknown} of unknown severity, counted as ${check.level})` : '';
  const limit =
    check.limitSource === 'fail-on'
      ? `fail-on is ${settings.failOn}, so none are allowed`
      : `${check.limitSource} allows ${check.allowed === 0 ? 'none' : String(check.allowed)}`;
  return `${label} has ${plural(check.count, `${check.level} finding`)}${counted}; ${limit}.`;
}

function scanSentences(
  pkg: PackageScan,
  label: string,
  settings: GateSettings,
  reasons: string[],
  notes: string[],
) {
  const detail = pkg.scanDetail ? ` (${pkg.scanDetail})` : '';
  if (pkg.scanStatus === 'timeout') {
    const what = `${label}: the scan did not finish before the wait timeout${detail}`;
    if (settings.onTimeout === 'fail') reasons.push(`${what}; on-timeout is fail.`);
    else notes.push(`${what}; it passes only because on-timeout is pass.`);
  } else if (pkg.scanStatus === 'error') {
    const what = `${label}: the scan failed${detail}`;
    if (settings.onScanError === 'fail') reasons.push(`${what}; on-scan-error is fail.`);
    else notes.push(`${what}; it passes only because on-scan-error is pass.`);
  } else if (pkg.scanStatus === 'not_supported') {
    notes.push(`${label} was not scanned: the repository does not scan ${pkg.format} packages.`);
  }
}

function coverageSentences(
  coverage: CoverageCheck,
  label: string,
  settings: GateSettings,
  reasons: string[],
  notes: string[],
): void {
  for (const problem of coverage.problems) {
    if (settings.onIncomplete === 'fail') reasons.push(`${label}: ${problem}.`);
    else notes.push(`${label}: ${problem}; it passes only because on-incomplete is pass.`);
  }
}

function licenseSentences(
  license: LicenseCheck,
  label: string,
  settings: GateSettings,
  reasons: string[],
  notes: string[],
): void {
  if (license.status === 'denied') {
    const read = license.interpreted ? ` (read as ${license.interpreted})` : '';
    reasons.push(
      `${label} is licensed ${license.declared}${read}, which deny-licenses forbids (${license.denied.join(', ')}).`,
    );
  } else if (license.status === 'unknown') {
    const what = license.declared
      ? `${label} declares a license that is not an SPDX expression ("${license.declared}")`
      : `${label} declares no license`;
    if (settings.unknownLicense === 'fail') reasons.push(`${what}, and unknown-license is fail.`);
    else notes.push(`${what}, so deny-licenses could not be checked.`);
  }
}

function judgePackage(
  pkg: PackageScan,
  settings: GateSettings,
  ledger: AllowlistLedger,
  now: Date,
): PackageVerdict {
  const ref = { name: pkg.name, version: pkg.version };
  const label = `${pkg.name} ${pkg.version}`;
  const findings = pkg.findings.map((f) => classify(f, ref, settings, ledger));
  const reasons: string[] = [];
  const notes: string[] = [];
  scanSentences(pkg, label, settings, reasons, notes);
  // Only a finished scan has coverage to judge; the others are judged by on-timeout and on-scan-error.
  const coverage =
    pkg.scanStatus === 'complete'
      ? checkCoverage(pkg.coverage, settings.maxAdvisoryAgeSec, now)
      : notScanned();
  coverageSentences(coverage, label, settings, reasons, notes);

  const levels = [...LEVELS].reverse().map((level) => checkLevel(level, findings, settings));
  for (const check of levels) {
    if (!check.exceeded) continue;
    for (const f of findings) if (f.effectiveLevel === check.level) f.disposition = 'deciding';
    reasons.push(levelReason(label, check, findings, settings));
  }

  const license = checkLicense(pkg.license, settings.denyLicenses);
  licenseSentences(license, label, settings, reasons, notes);

  const counts = emptyCounts();
  for (const f of pkg.findings) counts[f.severity] += 1;
  const gatedCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const c of levels) gatedCounts[c.level] = c.count;

  return {
    name: pkg.name,
    version: pkg.version,
    format: pkg.format,
    ...(pkg.filename !== undefined ? { filename: pkg.filename } : {}),
    ...(pkg.url !== undefined ? { url: pkg.url } : {}),
    scanStatus: pkg.scanStatus,
    ...(pkg.scanDetail !== undefined ? { scanDetail: pkg.scanDetail } : {}),
    result: reasons.length > 0 ? 'fail' : 'pass',
    reasons,
    notes,
    counts,
    gatedCounts,
    levels,
    findings,
    license,
    coverage,
  };
}

function coverageTotals(verdicts: readonly PackageVerdict[]): CoverageTotals {
  const totals: CoverageTotals = { reported: 0, evaluated: 0, notEvaluated: 0, incomplete: 0 };
  for (const { coverage } of verdicts) {
    if (coverage?.evaluated == null || coverage.notEvaluated == null) continue;
    totals.reported += 1;
    totals.evaluated += coverage.evaluated;
    totals.notEvaluated += coverage.notEvaluated;
    if (coverage.status === 'incomplete') totals.incomplete += 1;
  }
  return totals;
}

function passSentence(count: number, settings: GateSettings): string {
  if (count === 0) return 'No packages were given to the gate.';
  const limits = LEVELS.filter((l) => maxFor(settings, l) !== undefined).map(
    (l) => `max-${l} ${String(maxFor(settings, l))}`,
  );
  const failOn =
    settings.failOn === 'none'
      ? 'fail-on is none'
      : `nothing counted is at or above ${settings.failOn} (fail-on)`;
  const within = limits.length ? ` and every level is within its limit (${limits.join(', ')})` : '';
  const subject = count === 1 ? 'The package passes' : `All ${count} packages pass`;
  return `${subject}: ${failOn}${within}.`;
}

function passSentences(verdicts: readonly PackageVerdict[], settings: GateSettings): string[] {
  const sentences = [passSentence(verdicts.length, settings)];
  const incomplete = verdicts.filter((v) => v.coverage?.status === 'incomplete');
  if (incomplete.length > 0) {
    // A pass that rests on on-incomplete must say so where the result is read, not only in notes.
    const which = incomplete.map((v) => `${v.name} ${v.version}`).join(', ');
    sentences.push(
      `The scan of ${which} was incomplete (see its coverage); it passes only because on-incomplete is pass.`,
    );
  }
  return sentences;
}

/**
 * Judges packages against the gate settings at the instant `now` (allowlist expiry). Pure:
 * everything found is reported; only the configured limits, license rules, scan outcomes and
 * coverage decide the result. Scans that timed out, failed or left components unevaluated (or
 * ran on stale advisory data) fail the gate unless settings say pass.
 */
export function evaluateGate(packages: readonly PackageScan[], settings: GateSettings, now: Date): Verdict {
  const ledger = new AllowlistLedger(settings.allowlist, now);
  const verdicts = packages.map((p) => judgePackage(p, settings, ledger, now));
  const totals = verdicts.reduce((acc, v) => addCounts(acc, v.counts), emptyCounts());
  const failed = verdicts.filter((v) => v.result === 'fail');
  const expired = ledger.expiredEntries();
  const stale = ledger.staleEntries();

  const notes = verdicts.flatMap((v) => v.notes);
  for (const { entry, wouldHaveSuppressed } of expired) {
    const effect = wouldHaveSuppressed
      ? `; it would have suppressed ${plural(wouldHaveSuppressed, 'finding')}`
      : '';
    notes.push(
      `Allowlist entry ${entry.index + 1} (${describeEntry(entry)}, expires ${entry.expires}) has expired and was not applied${effect}.`,
    );
  }
  for (const entry of stale) {
    notes.push(
      `Allowlist entry ${entry.index + 1} (${describeEntry(entry)}) matched no finding; it may be removed.`,
    );
  }

  return {
    result: failed.length > 0 ? 'fail' : 'pass',
    reasons: failed.length > 0 ? failed.flatMap((v) => v.reasons) : passSentences(verdicts, settings),
    notes,
    packages: verdicts,
    totals,
    allowlist: { suppressed: ledger.suppressed, expired, stale },
    coverage: coverageTotals(verdicts),
    settings,
    evaluatedAt: now.toISOString(),
  };
}
