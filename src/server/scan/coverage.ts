import type { NotEvaluatedComponent, NotEvaluatedReason } from '../../api/vulnerabilities.js';
import type { Component, ScanLimitOutcome } from './extract/types.js';
import { normalizeEcosystem, schemeForEcosystem } from './versions/index.js';

/** How many not-evaluated components a scan lists by name; the counts stay exact past it. */
export const NOT_EVALUATED_LISTED = 1000;

/** The components of one ecosystem in a scan, and how many of them were evaluated. */
export interface EcosystemCount {
  ecosystem: string;
  components: number;
  evaluated: number;
}

/** What a scan records about its own coverage (advisory counts are added when it is shown). */
export interface CoverageRecord {
  evaluated: number;
  notEvaluated: number;
  /** At most {@link NOT_EVALUATED_LISTED}, in the order the components were found. */
  notEvaluatedComponents: NotEvaluatedComponent[];
  limitReached: string | null;
  ecosystems: EcosystemCount[];
}

/** The coverage of a scan and, per component, whether advisories can match it at all. */
export interface CoverageAssessment {
  record: CoverageRecord;
  /** Per component (by index): false when no advisory can match it (no data, no matcher). */
  matchable: boolean[];
}

/** The name of the version rules each known ecosystem follows, for the reason a version is refused. */
const SCHEME_NAMES: Record<string, string> = {
  npm: 'SemVer',
  'crates.io': 'SemVer',
  PyPI: 'PEP 440',
  Go: 'Go module (SemVer with a leading v)',
};

function notEvaluated(c: Component, reason: NotEvaluatedReason, detail: string): NotEvaluatedComponent {
  const entry: NotEvaluatedComponent = {
    ecosystem: c.ecosystem,
    name: c.name,
    version: c.version,
    reason,
    detail,
  };
  if (c.location) entry.location = { path: c.location.split('!').pop()! };
  return entry;
}

/** Why one component cannot be evaluated, or null when it can. */
function reasonFor(
  c: Component,
  advisoryCounts: Readonly<Record<string, number>>,
): NotEvaluatedComponent | null {
  const ecosystem = normalizeEcosystem(c.ecosystem);
  const scheme = schemeForEcosystem(ecosystem);
  if (!scheme)
    return notEvaluated(
      c,
      'unsupported_ecosystem',
      `Airlock has no version matcher for the ${ecosystem} ecosystem`,
    );
  if (scheme.parse(c.version) === null)
    return notEvaluated(
      c,
      'unparseable_version',
      `${ecosystem} version '${c.version}' is not a valid ${SCHEME_NAMES[ecosystem] ?? scheme.name} version`,
    );
  if ((advisoryCounts[ecosystem] ?? 0) === 0)
    return notEvaluated(c, 'no_advisory_data', `no ${ecosystem} advisories are loaded, so none could match`);
  return null;
}

/**
 * Decides which components a scan evaluates. A component is not evaluated when its ecosystem has
 * no version matcher, when its version does not parse in the ecosystem's scheme, when the
 * ecosystem holds no advisories (`advisoryCounts`, keyed by OSV ecosystem name), or when a scan
 * limit (`limit`) left it out. Components with an unparseable version are still matched (an
 * advisory's exact `versions` list can name them) but never count as evaluated.
 */
export function assessCoverage(
  components: readonly Component[],
  advisoryCounts: Readonly<Record<string, number>>,
  limit?: ScanLimitOutcome,
): CoverageAssessment {
  const listed: NotEvaluatedComponent[] = [];
  const byEcosystem = new Map<string, EcosystemCount>();
  const countOf = (ecosystem: string): EcosystemCount => {
    const name = normalizeEcosystem(ecosystem);
    let entry = byEcosystem.get(name);
    if (!entry) {
      entry = { ecosystem: name, components: 0, evaluated: 0 };
      byEcosystem.set(name, entry);
    }
    return entry;
  };
  let evaluated = 0;
  let notEvaluatedCount = 0;
  const matchable = components.map((c) => {
    const count = countOf(c.ecosystem);
    count.components += 1;
    const reason = reasonFor(c, advisoryCounts);
    if (!reason) {
      count.evaluated += 1;
      evaluated += 1;
      return true;
    }
    notEvaluatedCount += 1;
    if (listed.length < NOT_EVALUATED_LISTED) listed.push(reason);
    return reason.reason === 'unparseable_version';
  });
  if (limit) {
    for (const [ecosystem, n] of Object.entries(limit.overflowByEcosystem))
      countOf(ecosystem).components += n;
    notEvaluatedCount += limit.overflow;
    for (const c of limit.sample) {
      if (listed.length >= NOT_EVALUATED_LISTED) break;
      listed.push(
        notEvaluated(c, 'scan_limit', `not scanned: the scan stopped at its limit on ${limit.reached}`),
      );
    }
  }
  return {
    record: {
      evaluated,
      notEvaluated: notEvaluatedCount,
      notEvaluatedComponents: listed,
      limitReached: limit?.reached ?? null,
      ecosystems: [...byEcosystem.values()].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem)),
    },
    matchable,
  };
}
