import type { CvssScore, VulnerabilityScanResults } from '../api/vulnerabilities.js';
import type { ScanCoverage } from './coverage.js';
import { severityFromWire, type Severity } from './severity.js';

/** Where a finding was located: a relative file path and, when known, a 1-based line. */
export interface FindingLocation {
  path: string;
  line?: number;
}

/** One vulnerability of one component found in a package: the gate's unit of judgement. */
export interface Finding {
  /** Advisory id (`CVE-…`, `GHSA-…`). */
  id: string;
  /** Other ids of the same advisory; allowlist entries match these too. */
  aliases: string[];
  title: string;
  description: string;
  severity: Severity;
  /** Whose rating `severity` is (`nvd`, `ghsa`, …); empty when unknown. */
  severitySource: string;
  /** The vulnerable component (a dependency inside the package). */
  component: string;
  installedVersion: string;
  /** First fixed version of the component, or null when no fix exists. */
  fixedVersion: string | null;
  references: string[];
  /** Highest CVSS base score known for the advisory, or null. */
  cvssScore: number | null;
  /** The file the component was found in, when the scanner knows it. */
  location?: FindingLocation;
  /** The scan target (lock file, manifest) the finding came from. */
  target?: string;
}

/** How the repository's scan of a package ended, as far as the wait step saw it. */
export type ScanStatus = 'complete' | 'timeout' | 'error' | 'not_supported';

/** A package to judge: what was pushed, its license, and what its scan found. */
export interface PackageScan {
  name: string;
  version: string;
  format: string;
  /** The package's file name: the location reports fall back to when a finding has none. */
  filename?: string;
  /** Where a person can look at the package (reports link to it). */
  url?: string;
  /** The package's license as an SPDX expression (or free text); null or absent when unknown. */
  license?: string | null;
  scanStatus: ScanStatus;
  /** What the service said about a failed or unfinished scan. */
  scanDetail?: string;
  findings: Finding[];
  /** What the finished scan covered; absent when the repository does not report coverage. */
  coverage?: ScanCoverage;
}

/** Best CVSS base score of one source: v4.0, else v3, else v2. */
function sourceScore(s: CvssScore): number | undefined {
  return s.V40Score ?? s.V3Score ?? s.V2Score;
}

/** The highest CVSS base score over every source, or null when no source has a score. */
export function highestCvssScore(scores: Record<string, CvssScore>): number | null {
  let best: number | null = null;
  for (const s of Object.values(scores)) {
    const score = sourceScore(s);
    if (score !== undefined && (best === null || score > best)) best = score;
  }
  return best;
}

/** Turns the repository's scan-results document into findings, one per result of every scan target. */
export function findingsFromScanResults(results: VulnerabilityScanResults): Finding[] {
  const findings: Finding[] = [];
  for (const scan of results.scans) {
    for (const v of scan.results) {
      findings.push({
        id: v.vulnerability_id,
        aliases: v.aliases ?? [],
        title: v.title,
        description: v.description,
        severity: severityFromWire(v.severity),
        severitySource: v.severity_source,
        component: v.package_name,
        installedVersion: v.affected_version.version || v.affected_version.raw_version,
        fixedVersion: v.fixed_version ? v.fixed_version.version || v.fixed_version.raw_version || null : null,
        references: v.references,
        cvssScore: highestCvssScore(v.cvss_scores),
        ...(v.location ? { location: { ...v.location } } : {}),
        target: scan.target,
      });
    }
  }
  return findings;
}
