import type { Db } from '../store/db.js';
import type { OsvRange, OsvReference } from './advisories/osv.js';
import { packageIdentity, packageNameKey } from './advisories/package-names.js';
import { loadAffectedRows, loadAliases, loadDetails, type AffectedRow } from './advisories/query.js';
import { SEVERITY_LEVELS, type Severity } from './severity.js';
import {
  createAffectedCompiler,
  normalizeEcosystem,
  schemeForEcosystem,
  type AffectedMatcher,
} from './versions/index.js';

export { lookupAdvisories, type AdvisoryRecord } from './advisories/query.js';

/** A package found in an artifact: its ecosystem (`npm`, `PyPI`, `Go`, `crates.io`), name and version. */
export interface Component {
  ecosystem: string;
  name: string;
  version: string;
}

/** One advisory that affects one component. */
export interface VulnerabilityMatch {
  id: string;
  aliases: string[];
  severity: Severity;
  /** The advisory's summary; empty when it has none (many PyPA advisories). */
  summary: string;
  /** The summary, or else the first sentence of the details: always something to show. */
  title: string;
  details: string;
  references: OsvReference[];
  /** The lowest `fixed` version above the component's version, or null when none is known. */
  fixedVersion: string | null;
  /** The package as the advisory names it. */
  package: { ecosystem: string; name: string };
}

/** A component with the advisories that affect it (most severe first, then by id). */
export interface ComponentMatches {
  component: Component;
  vulnerabilities: VulnerabilityMatch[];
}

const TITLE_MAX = 200;

/** A one-line title: the summary, else the first sentence of the details, else the id. */
function titleOf(id: string, summary: string, details: string): string {
  if (summary.trim()) return summary.trim();
  const text = details.slice(0, 2000).trim().replace(/\s+/g, ' ');
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  return sentence.length > TITLE_MAX ? sentence.slice(0, TITLE_MAX - 1) + '…' : sentence || id;
}

const RANK = new Map(SEVERITY_LEVELS.map((level, i) => [level, i]));

function byRelevance(a: VulnerabilityMatch, b: VulnerabilityMatch): number {
  return (
    RANK.get(a.severity.level)! - RANK.get(b.severity.level)! ||
    (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
    a.id.localeCompare(b.id)
  );
}

function lowerFixed(ecosystem: string, a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  const scheme = schemeForEcosystem(ecosystem);
  const pa = scheme?.parse(a) ?? null;
  const pb = scheme?.parse(b) ?? null;
  return scheme && pa !== null && pb !== null && scheme.compare(pb, pa) < 0 ? b : a;
}

/**
 * Where matching reads advisories from: the database itself, or (inside a scan worker thread,
 * which has no connection of its own) a channel to the thread that holds it.
 */
export interface AdvisoryQueries {
  /** The affected-package rows of live advisories for folded names of one ecosystem. */
  affectedRows(ecosystem: string, nameKeys: string[]): Promise<AffectedRow[]>;
  /** The aliases of each advisory id. */
  aliases(ids: string[]): Promise<Map<string, string[]>>;
  /** The details text of each advisory id. */
  details(ids: string[]): Promise<Map<string, string>>;
}

/** Advisory queries answered by a database connection. */
export function databaseQueries(db: Db): AdvisoryQueries {
  return {
    affectedRows: (ecosystem, nameKeys) => loadAffectedRows(db, ecosystem, nameKeys),
    aliases: (ids) => loadAliases(db, ids),
    details: (ids) => loadDetails(db, ids),
  };
}

/**
 * Finds the live advisories that affect each component. Names are folded per ecosystem and
 * looked up in batches; ranges are evaluated in memory, each stored entry compiled once however
 * many components share its package. Results come back in the order of `components`.
 */
export async function findVulnerabilities(
  db: Db,
  components: readonly Component[],
): Promise<ComponentMatches[]> {
  return findVulnerabilitiesWith(databaseQueries(db), components);
}

/** {@link findVulnerabilities} over any source of advisory rows. */
export async function findVulnerabilitiesWith(
  queries: AdvisoryQueries,
  components: readonly Component[],
): Promise<ComponentMatches[]> {
  const lookups = components.map((c) => {
    const ecosystem = normalizeEcosystem(c.ecosystem);
    return {
      ecosystem,
      key: `${ecosystem}\u0000${packageNameKey(ecosystem, c.name)}`,
      identity: packageIdentity(ecosystem, c.name),
    };
  });
  const byEcosystem = new Map<string, Set<string>>();
  components.forEach((c, i) => {
    const { ecosystem } = lookups[i]!;
    const keys = byEcosystem.get(ecosystem) ?? new Set<string>();
    keys.add(packageNameKey(ecosystem, c.name));
    byEcosystem.set(ecosystem, keys);
  });
  const rowsByKey = new Map<string, { row: AffectedRow; identity: string }[]>();
  for (const [ecosystem, keys] of byEcosystem) {
    for (const row of await queries.affectedRows(ecosystem, [...keys])) {
      const key = `${ecosystem}\u0000${row.nameKey}`;
      const list = rowsByKey.get(key) ?? [];
      list.push({ row, identity: packageIdentity(ecosystem, row.name) });
      rowsByKey.set(key, list);
    }
  }

  const compile = createAffectedCompiler();
  const matchers = new Map<AffectedRow, AffectedMatcher>();
  const matcherFor = (row: AffectedRow): AffectedMatcher => {
    let matcher = matchers.get(row);
    if (!matcher) {
      matcher = compile(row.ecosystem, {
        ranges: JSON.parse(row.ranges) as OsvRange[],
        versions: JSON.parse(row.versions) as string[],
      });
      matchers.set(row, matcher);
    }
    return matcher;
  };
  const references = new Map<string, OsvReference[]>();
  const referencesOf = (row: AffectedRow): OsvReference[] => {
    let refs = references.get(row.advisoryId);
    if (!refs) {
      refs = JSON.parse(row.refs) as OsvReference[];
      references.set(row.advisoryId, refs);
    }
    return refs;
  };

  const results: ComponentMatches[] = components.map((component, i) => {
    const { ecosystem, key, identity } = lookups[i]!;
    const found = new Map<string, VulnerabilityMatch>();
    for (const { row, identity: rowIdentity } of rowsByKey.get(key) ?? []) {
      if (rowIdentity !== identity) continue;
      const hit = matcherFor(row).check(component.version);
      if (!hit) continue;
      const { fixedVersion } = hit;
      const seen = found.get(row.advisoryId);
      if (seen) {
        seen.fixedVersion = lowerFixed(ecosystem, seen.fixedVersion, fixedVersion);
        continue;
      }
      found.set(row.advisoryId, {
        id: row.advisoryId,
        aliases: [],
        severity: row.ownSeverity ?? row.severity,
        summary: row.summary,
        title: '',
        details: '',
        references: referencesOf(row),
        fixedVersion,
        package: { ecosystem: row.ecosystem, name: row.name },
      });
    }
    return { component, vulnerabilities: [...found.values()] };
  });

  const ids = new Set(results.flatMap((r) => r.vulnerabilities.map((v) => v.id)));
  const aliases = await queries.aliases([...ids]);
  const details = await queries.details([...ids]);
  const titles = new Map<string, string>();
  for (const result of results) {
    for (const v of result.vulnerabilities) {
      v.aliases = aliases.get(v.id) ?? [];
      v.details = details.get(v.id) ?? '';
      let title = titles.get(v.id);
      if (title === undefined) {
        title = titleOf(v.id, v.summary, v.details);
        titles.set(v.id, title);
      }
      v.title = title;
    }
    result.vulnerabilities.sort(byRelevance);
  }
  return results;
}
