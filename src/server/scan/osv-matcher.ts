import type { CvssScore, Severity } from '../../api/vulnerabilities.js';
import type { Db } from '../store/db.js';
import type { Component } from './extract/types.js';
import type { MatchedAdvisory } from './findings.js';
import {
  type AdvisoryQueries,
  databaseQueries,
  findVulnerabilitiesWith,
  type VulnerabilityMatch,
} from './match.js';
import type { Severity as AdvisorySeverity } from './severity.js';

const CVSS_KEYS: Record<string, { vector: keyof CvssScore; score: keyof CvssScore }> = {
  CVSS_V2: { vector: 'V2Vector', score: 'V2Score' },
  CVSS_V3: { vector: 'V3Vector', score: 'V3Score' },
  CVSS_V4: { vector: 'V40Vector', score: 'V40Score' },
};

/** The advisory's CVSS data in the API's `cvss_scores` shape, keyed by source `osv`. */
function cvssScores(severity: AdvisorySeverity): Record<string, CvssScore> {
  const keys = severity.source ? CVSS_KEYS[severity.source] : undefined;
  if (!keys || !severity.vector) return {};
  const entry: CvssScore = { [keys.vector]: severity.vector };
  if (severity.score !== null) (entry as Record<string, unknown>)[keys.score] = severity.score;
  return { osv: entry };
}

function toMatched(v: VulnerabilityMatch): MatchedAdvisory {
  return {
    id: v.id,
    aliases: v.aliases,
    summary: v.title,
    details: v.details,
    severity: v.severity.level as Severity,
    severitySource:
      v.severity.source === null ? '' : v.severity.source === 'database_specific' ? 'osv' : 'osv-cvss',
    cvss: cvssScores(v.severity),
    references: v.references.map((r) => r.url),
    fixed: v.fixedVersion,
  };
}

/** Matches components against the imported OSV advisories. */
export async function matchOsvAdvisories(db: Db, components: Component[]): Promise<MatchedAdvisory[][]> {
  return matchOsvAdvisoriesWith(databaseQueries(db), components);
}

/** {@link matchOsvAdvisories} over any source of advisory rows (a scan worker asks its parent thread). */
export async function matchOsvAdvisoriesWith(
  queries: AdvisoryQueries,
  components: Component[],
): Promise<MatchedAdvisory[][]> {
  const results = await findVulnerabilitiesWith(queries, components);
  return results.map((r) => r.vulnerabilities.map(toMatched));
}
