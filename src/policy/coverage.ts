import type { FindingLocation } from './findings.js';

/**
 * What the repository says its scan of a package covered: which components it evaluated, which
 * it could not (and why), whether a scan limit stopped it, and how fresh the advisory data of
 * each ecosystem was. A gate that passes a package nobody could check is worse than no gate, so
 * this is judged like the findings are.
 */

/** Why the scanner could not evaluate a component (the repository's `reason`). */
export const NOT_EVALUATED_REASONS = [
  'no_advisory_data',
  'unparseable_version',
  'unsupported_ecosystem',
  'scan_limit',
] as const;

/** One of {@link NOT_EVALUATED_REASONS}; a reason the gate does not know is kept as sent. */
export type NotEvaluatedReason = (typeof NOT_EVALUATED_REASONS)[number];

/** A component the scan did not evaluate. */
export interface NotEvaluatedComponent {
  /** OSV's ecosystem name (`npm`, `PyPI`, …). */
  ecosystem: string;
  name: string;
  version: string;
  reason: NotEvaluatedReason | (string & {});
  /** The repository's sentence about it, e.g. "PyPI version '2.0.0-final' is not a valid PEP 440 version". */
  detail: string;
  location?: FindingLocation;
}

/** One ecosystem the package's components belong to, with its advisory data at response time. */
export interface EcosystemCoverage {
  ecosystem: string;
  components: number;
  evaluated: number;
  /** Advisories the repository held for the ecosystem. */
  advisories: number;
  /** When its advisory data was last synced or imported (ISO 8601); null when never. */
  advisoriesUpdatedAt: string | null;
}

/** The repository's coverage report of one scan. */
export interface ScanCoverage {
  complete: boolean;
  evaluated: number;
  notEvaluated: number;
  /** The components not evaluated, as far as the repository lists them (it caps the list; the counts are exact). */
  notEvaluatedComponents: NotEvaluatedComponent[];
  /** The scan limit that stopped the scan, e.g. "components per package (100,000)"; null when none did. */
  limitReached: string | null;
  ecosystems: EcosystemCoverage[];
}

function fail(field: string, expected: string): never {
  throw new Error(`the scan's coverage report has an unreadable \`${field}\` (expected ${expected})`);
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'an object');
  return value as Record<string, unknown>;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(field, 'a whole number');
  return value;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, 'text');
  return value;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) fail(field, 'a list');
  return value;
}

function readComponent(value: unknown, i: number): NotEvaluatedComponent {
  const at = `not_evaluated_components[${i}]`;
  const c = record(value, at);
  const location =
    c.location === undefined || c.location === null ? undefined : record(c.location, `${at}.location`);
  const line = location?.line;
  return {
    ecosystem: text(c.ecosystem, `${at}.ecosystem`),
    name: text(c.name, `${at}.name`),
    version: text(c.version, `${at}.version`),
    reason: text(c.reason, `${at}.reason`),
    detail: typeof c.detail === 'string' ? c.detail : '',
    ...(location
      ? {
          location: {
            path: text(location.path, `${at}.location.path`),
            ...(typeof line === 'number' ? { line } : {}),
          },
        }
      : {}),
  };
}

function readEcosystem(value: unknown, i: number): EcosystemCoverage {
  const at = `ecosystems[${i}]`;
  const e = record(value, at);
  const updated = e.advisories_updated_at;
  return {
    ecosystem: text(e.ecosystem, `${at}.ecosystem`),
    components: count(e.components, `${at}.components`),
    evaluated: count(e.evaluated, `${at}.evaluated`),
    advisories: count(e.advisories, `${at}.advisories`),
    advisoriesUpdatedAt:
      updated === null || updated === undefined ? null : text(updated, `${at}.advisories_updated_at`),
  };
}

/**
 * The `coverage` of a scan-results detail, as the gate reads it; undefined when the repository
 * sent none (it does not report coverage). Throws naming the field when it is malformed, so a
 * report the gate cannot read fails the scan rather than passing it.
 */
export function readCoverage(wire: unknown): ScanCoverage | undefined {
  if (wire === undefined || wire === null) return undefined;
  const c = record(wire, 'coverage');
  const limit = c.limit_reached;
  if (typeof c.complete !== 'boolean') fail('complete', 'true or false');
  return {
    complete: c.complete,
    evaluated: count(c.evaluated, 'evaluated'),
    notEvaluated: count(c.not_evaluated, 'not_evaluated'),
    notEvaluatedComponents: list(c.not_evaluated_components ?? [], 'not_evaluated_components').map(
      readComponent,
    ),
    limitReached: limit === null || limit === undefined ? null : text(limit, 'limit_reached'),
    ecosystems: list(c.ecosystems ?? [], 'ecosystems').map(readEcosystem),
  };
}

/** `7d`, `36h`, `90m` or `45s`: the largest unit that states the duration exactly. */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** An age in words a person reads at a glance: `9 days`, `36 hours`, `5 minutes`. */
export function describeAge(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return 'less than a minute';
  if (seconds < 2 * 3600) return unit(Math.floor(seconds / 60), 'minute');
  if (seconds < 2 * 86400) return unit(Math.floor(seconds / 3600), 'hour');
  return unit(Math.floor(seconds / 86400), 'day');
}

/** How the advisory data of one ecosystem stood when the gate judged. */
export type Freshness = 'fresh' | 'stale' | 'never-loaded' | 'not-needed';

/** An ecosystem of the package with the age of its advisory data judged against `max-advisory-age`. */
export interface EcosystemCheck extends EcosystemCoverage {
  /** Seconds since the advisory data was updated; null when it never was (or the time is unreadable). */
  ageSec: number | null;
  /** `not-needed`: the package has no component in it, so its data does not matter. */
  freshness: Freshness;
}

/**
 * The gate's view of a package's coverage:
 * - `complete`: every component evaluated against advisory data no older than max-advisory-age;
 * - `incomplete`: something was not evaluated, a scan limit was hit, or advisory data is stale or was never loaded;
 * - `not-reported`: the scan finished but the repository does not report coverage (Cloudsmith);
 * - `not-scanned`: the scan did not finish (timeout, error, not supported), judged as such.
 */
export interface CoverageCheck {
  status: 'complete' | 'incomplete' | 'not-reported' | 'not-scanned';
  /** Components evaluated and not; null unless the repository reported coverage. */
  evaluated: number | null;
  notEvaluated: number | null;
  notEvaluatedComponents: NotEvaluatedComponent[];
  limitReached: string | null;
  ecosystems: EcosystemCheck[];
  /** What made it incomplete, one clause each (ecosystem, reason, how to fix it); empty otherwise. */
  problems: string[];
}

/** Components plural. */
function components(n: number): string {
  return `${n.toLocaleString('en-US')} component${n === 1 ? '' : 's'}`;
}

/** `'foo' 2.0.0-final (PyPI version '2.0.0-final' is not a valid PEP 440 version)` */
export function describeComponent(c: NotEvaluatedComponent): string {
  const why = c.detail || c.reason.replace(/_/g, ' ');
  return `'${c.name}' ${c.version} (${why})`;
}

const SYNC = '`airlock-server advisories sync`';

/** How to close the gap a reason leaves, for a person reading the gate's message. */
function remedy(reason: string, ecosystem: string): string {
  switch (reason) {
    case 'no_advisory_data':
      return `load advisory data for ${ecosystem} on the repository service (${SYNC})`;
    case 'unparseable_version':
      return `correct the version in the lock file or manifest, or accept the gap with on-incomplete: pass`;
    case 'unsupported_ecosystem':
      return `the repository cannot match ${ecosystem} components; accept the gap with on-incomplete: pass`;
    default:
      return `see the repository's scan of the package, or accept the gap with on-incomplete: pass`;
  }
}

const EXAMPLES = 3;

function ageOf(updatedAt: string | null, now: Date): number | null {
  if (updatedAt === null) return null;
  const at = Date.parse(updatedAt);
  if (Number.isNaN(at)) return null;
  // A repository clock ahead of ours is not a reason to call its data old.
  return Math.max(0, Math.floor((now.getTime() - at) / 1000));
}

function checkEcosystem(e: EcosystemCoverage, maxAgeSec: number, now: Date): EcosystemCheck {
  const ageSec = ageOf(e.advisoriesUpdatedAt, now);
  const freshness: Freshness =
    e.components === 0
      ? 'not-needed'
      : ageSec === null
        ? 'never-loaded'
        : ageSec > maxAgeSec
          ? 'stale'
          : 'fresh';
  return { ...e, ageSec, freshness };
}

/**
 * Judges a scan's coverage at `now`: components not evaluated (grouped by ecosystem, with a few
 * examples and how to fix it), a scan limit that stopped the scan, and advisory data of an
 * ecosystem the package needs that is older than `maxAdvisoryAgeSec` or was never loaded. Pure.
 */
export function checkCoverage(
  coverage: ScanCoverage | undefined,
  maxAdvisoryAgeSec: number,
  now: Date,
): CoverageCheck {
  if (!coverage) {
    return {
      status: 'not-reported',
      evaluated: null,
      notEvaluated: null,
      notEvaluatedComponents: [],
      limitReached: null,
      ecosystems: [],
      problems: [],
    };
  }
  const ecosystems = coverage.ecosystems.map((e) => checkEcosystem(e, maxAdvisoryAgeSec, now));
  const problems: string[] = [];
  let explained = 0;
  const merged = new Set<string>();

  for (const e of ecosystems) {
    if (e.freshness === 'never-loaded') {
      const missing = e.components - e.evaluated;
      const gap =
        missing > 0
          ? `, so ${missing.toLocaleString('en-US')} of ${components(e.components)} ${missing === 1 ? 'was' : 'were'} not evaluated`
          : '';
      // Advisories held without a recorded sync or import are of unknown age: not trusted either.
      const never =
        e.advisoriesUpdatedAt !== null
          ? `of unreadable age ("${e.advisoriesUpdatedAt}")`
          : e.advisories > 0
            ? `never loaded by a sync or import (the ${e.advisories.toLocaleString('en-US')} advisories held have no recorded age)`
            : 'never loaded';
      problems.push(`${e.ecosystem}: advisory data ${never}${gap} — run ${SYNC} on the repository service`);
      explained += Math.max(0, missing);
      merged.add(e.ecosystem);
    } else if (e.freshness === 'stale') {
      problems.push(
        `advisory data for ${e.ecosystem} is ${describeAge(e.ageSec ?? 0)} old (max-advisory-age ${formatDuration(maxAdvisoryAgeSec)}) — sync it (${SYNC} on the repository service) or raise max-advisory-age`,
      );
    }
  }

  // Components an ecosystem's never-loaded data already explains are not listed again.
  const listed = coverage.notEvaluatedComponents.filter(
    (c) => c.reason !== 'scan_limit' && !(c.reason === 'no_advisory_data' && merged.has(c.ecosystem)),
  );
  const groups = new Map<string, NotEvaluatedComponent[]>();
  for (const c of listed) groups.set(c.ecosystem, [...(groups.get(c.ecosystem) ?? []), c]);
  for (const [ecosystem, group] of groups) {
    const examples = group.slice(0, EXAMPLES).map(describeComponent).join(', ');
    const more = group.length > EXAMPLES ? ` and ${group.length - EXAMPLES} more` : '';
    const reasons = [...new Set(group.map((c) => c.reason))];
    const fixes = reasons.map((r) => remedy(r, ecosystem)).join('; ');
    problems.push(`${ecosystem}: ${components(group.length)} not evaluated: ${examples}${more} — ${fixes}`);
    explained += group.length;
  }

  if (coverage.limitReached !== null) {
    const stopped = coverage.notEvaluatedComponents.filter((c) => c.reason === 'scan_limit').length;
    const gap = stopped > 0 ? `, leaving ${components(stopped)} not evaluated` : '';
    problems.push(
      `the scan stopped at the repository's limit of ${coverage.limitReached}${gap} — raise the limit on the repository service or split the package`,
    );
    explained += stopped;
  }

  const rest = coverage.notEvaluated - explained;
  if (rest > 0) {
    problems.push(
      `${rest.toLocaleString('en-US')} more ${rest === 1 ? 'component' : 'components'} not evaluated (the repository lists ${coverage.notEvaluatedComponents.length.toLocaleString('en-US')}) — see the repository's scan of the package`,
    );
  }
  // A report that calls itself incomplete without saying why is still incomplete.
  if (!coverage.complete && problems.length === 0) {
    problems.push(
      'the repository reports the scan as incomplete without saying why — see its scan of the package',
    );
  }

  return {
    status: problems.length > 0 ? 'incomplete' : 'complete',
    evaluated: coverage.evaluated,
    notEvaluated: coverage.notEvaluated,
    notEvaluatedComponents: coverage.notEvaluatedComponents,
    limitReached: coverage.limitReached,
    ecosystems,
    problems,
  };
}

/** The coverage of a package that was not scanned to the end: judged by its scan status instead. */
export function notScanned(): CoverageCheck {
  return { ...checkCoverage(undefined, 0, new Date(0)), status: 'not-scanned' };
}
