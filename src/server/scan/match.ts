import type { Db } from '../store/db.js';
import type { OsvReference } from './advisories/osv.js';
import { packageIdentity, packageNameKey } from './advisories/package-names.js';
import { loadAdvisoryGeneration, loadAffectedRows, loadAliases, loadDetails } from './advisories/query.js';
import {
  AdvisoryIndexSlot,
  type IndexedAdvisory,
  type IndexedEntry,
  type IndexSource,
} from './advisory-index.js';
import { SEVERITY_LEVELS, type Severity } from './severity.js';
import { normalizeEcosystem, schemeForEcosystem, VersionKeys } from './versions/index.js';

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

const RANK = new Map(SEVERITY_LEVELS.map((level, i) => [level, i]));

// One collator for every sort: String#localeCompare builds the same one on each call.
const byId = new Intl.Collator().compare;

function byRelevance(a: VulnerabilityMatch, b: VulnerabilityMatch): number {
  return (
    RANK.get(a.severity.level)! - RANK.get(b.severity.level)! ||
    (b.severity.score ?? -1) - (a.severity.score ?? -1) ||
    byId(a.id, b.id)
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
 * Where matching reads advisories from — the database itself, or (inside a scan worker process,
 * which has no connection of its own) a channel to the process that holds it — and the index
 * that keeps what was read for later matches.
 */
export interface AdvisoryQueries extends IndexSource {
  /** The advisory generation (see readAdvisoryGeneration): the index is rebuilt when it moves. */
  generation(): Promise<string>;
  /** Where the compiled advisories of this source are kept between matches. */
  readonly index: AdvisoryIndexSlot;
}

// One index per database handle: tests and tools open several databases in one process.
const slots = new WeakMap<Db, AdvisoryIndexSlot>();

/** The index slot of a database handle, made on first use (nothing is built until a match). */
export function advisoryIndexSlot(db: Db): AdvisoryIndexSlot {
  let slot = slots.get(db);
  if (!slot) {
    slot = new AdvisoryIndexSlot();
    slots.set(db, slot);
  }
  return slot;
}

/** Advisory queries answered by a database connection, sharing the process's index of it. */
export function databaseQueries(db: Db): AdvisoryQueries {
  return {
    affectedRows: (ecosystem, nameKeys) => loadAffectedRows(db, ecosystem, nameKeys),
    aliases: (ids) => loadAliases(db, ids),
    details: (ids) => loadDetails(db, ids),
    generation: () => loadAdvisoryGeneration(db),
    index: advisoryIndexSlot(db),
  };
}

/**
 * Finds the live advisories that affect each component. Advisories come from the process's
 * index of the database (see AdvisoryIndex): each package's entries are read and compiled once
 * per advisory generation, and each component's version is read once. Results come back in the
 * order of `components`.
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
  const index = queries.index.indexOf(await queries.generation());
  const lookups = components.map((c) => {
    const ecosystem = normalizeEcosystem(c.ecosystem);
    return { ecosystem, nameKey: packageNameKey(ecosystem, c.name) };
  });
  const byEcosystem = new Map<string, Set<string>>();
  for (const { ecosystem, nameKey } of lookups) {
    const keys = byEcosystem.get(ecosystem) ?? new Set<string>();
    keys.add(nameKey);
    byEcosystem.set(ecosystem, keys);
  }
  const entriesOf = new Map<string, Map<string, IndexedEntry[]>>();
  for (const [ecosystem, keys] of byEcosystem) {
    entriesOf.set(ecosystem, await index.entries(queries, ecosystem, keys));
  }

  const matched = new Map<string, IndexedAdvisory>();
  const results: ComponentMatches[] = components.map((component, i) => {
    const { ecosystem, nameKey } = lookups[i]!;
    const entries = entriesOf.get(ecosystem)!.get(nameKey)!;
    if (entries.length === 0) return { component, vulnerabilities: [] };
    const identity = packageIdentity(ecosystem, component.name);
    const version = new VersionKeys(component.version);
    const found = new Map<string, VulnerabilityMatch>();
    for (const entry of entries) {
      if (entry.identity !== identity) continue;
      const hit = entry.matcher.check(version);
      if (!hit) continue;
      const { advisory } = entry;
      const seen = found.get(advisory.id);
      if (seen) {
        seen.fixedVersion = lowerFixed(ecosystem, seen.fixedVersion, hit.fixedVersion);
        continue;
      }
      matched.set(advisory.id, advisory);
      found.set(advisory.id, {
        id: advisory.id,
        aliases: [],
        severity: entry.severity,
        summary: advisory.summary,
        title: '',
        details: '',
        references: advisory.references,
        fixedVersion: hit.fixedVersion,
        package: { ecosystem: entry.ecosystem, name: entry.name },
      });
    }
    return { component, vulnerabilities: [...found.values()] };
  });

  await index.describe(queries, matched.values());
  for (const result of results) {
    for (const v of result.vulnerabilities) {
      const { aliases, details, title } = matched.get(v.id)!.described!;
      v.aliases = aliases;
      v.details = details;
      v.title = title;
    }
    if (result.vulnerabilities.length > 1) result.vulnerabilities.sort(byRelevance);
  }
  return results;
}
