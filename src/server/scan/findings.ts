import type {
  Severity,
  Vulnerability,
  VulnerabilityScan,
  VulnerabilityVersion,
} from '../../api/vulnerabilities.js';
import { SEVERITIES } from '../../api/vulnerabilities.js';
import type { Db } from '../store/db.js';
import type { Component } from './extract/types.js';

/** An advisory that affects one component, as the matcher reports it. */
export interface MatchedAdvisory {
  id: string;
  aliases: string[];
  summary: string;
  details: string;
  severity: Severity;
  severitySource: string;
  cvss: Vulnerability['cvss_scores'];
  references: string[];
  /** The first version that fixes it above the component's version, or null. */
  fixed: string | null;
}

/** Finds, for each component (by index), the advisories that affect it. */
export type AdvisoryMatcher = (db: Db, components: Component[]) => Promise<MatchedAdvisory[][]>;

const SCAN_TYPES: Record<string, string> = { npm: 'npm', PyPI: 'pip', Go: 'gomod', 'crates.io': 'cargo' };

/** A version in the API's `{major, minor, patch, operator, version, raw_version}` shape. */
export function versionShape(raw: string, operator: string | null): VulnerabilityVersion {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(raw);
  const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s));
  return {
    major: num(m?.[1]),
    minor: num(m?.[2]),
    patch: num(m?.[3]),
    operator,
    version: raw.replace(/^v(?=\d)/, ''),
    raw_version: raw,
  };
}

/** The target a component is reported under: the file it was read from. */
function targetOf(c: Component): string {
  return c.location;
}

/**
 * Turns components and their matches into the API's `scans[]`: one entry per target (the file a
 * component was found in), each with its findings, most severe first.
 */
export function buildScans(components: Component[], matches: MatchedAdvisory[][]): VulnerabilityScan[] {
  const byTarget = new Map<string, VulnerabilityScan>();
  components.forEach((c, i) => {
    const target = targetOf(c);
    let scan = byTarget.get(target);
    if (!scan) {
      scan = { type: SCAN_TYPES[c.ecosystem] ?? c.ecosystem, target, results: [] };
      byTarget.set(target, scan);
    }
    for (const a of matches[i] ?? []) {
      scan.results.push({
        vulnerability_id: a.id,
        aliases: a.aliases,
        title: a.summary,
        description: a.details.slice(0, 1028),
        severity: a.severity,
        severity_source: a.severitySource,
        package_name: c.name,
        affected_version: versionShape(c.version, '='),
        fixed_version: a.fixed ? versionShape(a.fixed, '>=') : null,
        references: a.references,
        cvss_scores: a.cvss,
        location: { path: c.location.split('!').pop()! },
      });
    }
  });
  const scans = [...byTarget.values()];
  for (const s of scans)
    s.results.sort((x, y) => SEVERITIES.indexOf(y.severity) - SEVERITIES.indexOf(x.severity));
  return scans;
}

/** The highest severity among the findings, or null when there are none. */
export function maxSeverity(scans: VulnerabilityScan[]): Severity | null {
  let best = -1;
  for (const s of scans) for (const r of s.results) best = Math.max(best, SEVERITIES.indexOf(r.severity));
  return best >= 0 ? (SEVERITIES[best] as Severity) : null;
}
