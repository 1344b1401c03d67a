import type { OsvRange, OsvReference } from './advisories/osv.js';
import { packageIdentity } from './advisories/package-names.js';
import type { AffectedRow } from './advisories/query.js';
import type { Severity } from './severity.js';
import { compileAffectedFor, type AffectedMatcher } from './versions/index.js';

/** An advisory as matching reports it; shared by every entry of it in one index. */
export interface IndexedAdvisory {
  id: string;
  summary: string;
  references: OsvReference[];
  /** Aliases, details and title: read only for advisories that matched something. */
  described?: { aliases: string[]; details: string; title: string };
}

/** One affected-package entry of a live advisory, compiled once for every check against it. */
export interface IndexedEntry {
  advisory: IndexedAdvisory;
  /** The ecosystem and name as the advisory writes them. */
  ecosystem: string;
  name: string;
  /** The name as it identifies a package (see packageIdentity). */
  identity: string;
  /** The entry's own severity, else the advisory's. */
  severity: Severity;
  matcher: AffectedMatcher;
}

/** Where an index reads what it has not loaded yet. */
export interface IndexSource {
  /** The affected-package rows of live advisories for folded names of one ecosystem. */
  affectedRows(ecosystem: string, nameKeys: string[]): Promise<AffectedRow[]>;
  /** The aliases of each advisory id. */
  aliases(ids: string[]): Promise<Map<string, string[]>>;
  /** The details text of each advisory id. */
  details(ids: string[]): Promise<Map<string, string>>;
}

/** How big an index is: packages looked up (with or without advisories), entries, advisories. */
export interface IndexSize {
  generation: string;
  packages: number;
  entries: number;
  advisories: number;
}

/**
 * Items (packages looked up plus entries) the index holds before it starts again empty. All of
 * OSV's npm, PyPI, Go and crates.io data (2026-12) is about 10,500 entries under some 6,000 names,
 * and the index holding 7,700 of those entries (with the details of the 6,700 advisories that
 * matched) took 44 MiB of heap (`npm run bench -- advisories` prints it). The bound leaves room
 * for the data to grow two-fold, while keeping a runaway workload (millions of distinct names)
 * from holding memory without end.
 */
export const DEFAULT_MAX_ITEMS = 40_000;

const TITLE_MAX = 200;

/** A one-line title: the summary, else the first sentence of the details, else the id. */
function titleOf(id: string, summary: string, details: string): string {
  if (summary.trim()) return summary.trim();
  const text = details.slice(0, 2000).trim().replace(/\s+/g, ' ');
  const sentence = /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;
  return sentence.length > TITLE_MAX ? sentence.slice(0, TITLE_MAX - 1) + '…' : sentence || id;
}

const packageKey = (ecosystem: string, nameKey: string): string => `${ecosystem}\u0000${nameKey}`;

/**
 * The advisories of one advisory generation, compiled for matching and filled in as packages
 * are asked for: each (ecosystem, folded name) is read from the database once, its entries'
 * ranges compiled to order keys once, and a package with no advisories remembered as such.
 * An index never changes its generation: when the data changes, a new index replaces it.
 */
export class AdvisoryIndex {
  private readonly packages = new Map<string, IndexedEntry[]>();
  private readonly advisories = new Map<string, IndexedAdvisory>();
  private entryCount = 0;

  /**
   * @param generation the advisory generation the index holds
   * @param maxItems packages plus entries held before the index empties itself and starts again
   */
  constructor(
    readonly generation: string,
    private readonly maxItems = DEFAULT_MAX_ITEMS,
  ) {}

  /**
   * The entries of each of `nameKeys` (folded names of `ecosystem`), reading those not held yet.
   * The answer is complete by itself: a concurrent caller may empty the index meanwhile.
   */
  async entries(
    source: IndexSource,
    ecosystem: string,
    nameKeys: Iterable<string>,
  ): Promise<Map<string, IndexedEntry[]>> {
    const found = new Map<string, IndexedEntry[]>();
    const missing: string[] = [];
    for (const nameKey of nameKeys) {
      const held = this.packages.get(packageKey(ecosystem, nameKey));
      if (held) found.set(nameKey, held);
      else missing.push(nameKey);
    }
    if (missing.length === 0) return found;
    const rows = await source.affectedRows(ecosystem, missing);
    if (this.packages.size + this.entryCount + missing.length + rows.length > this.maxItems) this.clear();
    const loaded = new Map<string, IndexedEntry[]>(missing.map((k) => [k, []]));
    for (const row of rows) {
      loaded.get(row.nameKey)?.push({
        advisory: this.advisoryOf(row),
        ecosystem: row.ecosystem,
        name: row.name,
        identity: packageIdentity(ecosystem, row.name),
        severity: row.ownSeverity ?? row.severity,
        matcher: compileAffectedFor(row.ecosystem, {
          ranges: JSON.parse(row.ranges) as OsvRange[],
          versions: JSON.parse(row.versions) as string[],
        }),
      });
    }
    for (const [nameKey, list] of loaded) {
      found.set(nameKey, list);
      const key = packageKey(ecosystem, nameKey);
      // A concurrent match may have read the same name meanwhile: keep its copy, count it once.
      if (this.packages.has(key)) continue;
      this.packages.set(key, list);
      this.entryCount += list.length;
    }
    return found;
  }

  /** Reads the aliases, details and title of those of `advisories` not yet described. */
  async describe(source: IndexSource, advisories: Iterable<IndexedAdvisory>): Promise<void> {
    const pending = [...advisories].filter((a) => !a.described);
    if (pending.length === 0) return;
    const ids = pending.map((a) => a.id);
    const aliases = await source.aliases(ids);
    const details = await source.details(ids);
    for (const advisory of pending) {
      const text = details.get(advisory.id) ?? '';
      advisory.described = {
        aliases: aliases.get(advisory.id) ?? [],
        details: text,
        title: titleOf(advisory.id, advisory.summary, text),
      };
    }
  }

  /** What the index holds now. */
  size(): IndexSize {
    return {
      generation: this.generation,
      packages: this.packages.size,
      entries: this.entryCount,
      advisories: this.advisories.size,
    };
  }

  private advisoryOf(row: AffectedRow): IndexedAdvisory {
    let advisory = this.advisories.get(row.advisoryId);
    if (!advisory) {
      advisory = {
        id: row.advisoryId,
        summary: row.summary,
        references: JSON.parse(row.refs) as OsvReference[],
      };
      this.advisories.set(row.advisoryId, advisory);
    }
    return advisory;
  }

  private clear(): void {
    this.packages.clear();
    this.advisories.clear();
    this.entryCount = 0;
  }
}

/**
 * Holds a process's index for one database: answers the index of the generation the database
 * reports, replacing the one it holds when the generation has moved on. Nothing is read or built
 * until the first match asks, so a service that never scans holds nothing.
 */
export class AdvisoryIndexSlot {
  private current: AdvisoryIndex | null = null;

  /** @param maxItems passed to each index (see {@link DEFAULT_MAX_ITEMS}) */
  constructor(private readonly maxItems = DEFAULT_MAX_ITEMS) {}

  /** The index of `generation`: the one held, or a new, empty one. */
  indexOf(generation: string): AdvisoryIndex {
    if (this.current?.generation !== generation) {
      this.current = new AdvisoryIndex(generation, this.maxItems);
    }
    return this.current;
  }

  /** The size of the index held now; null before the first match. */
  size(): IndexSize | null {
    return this.current?.size() ?? null;
  }
}
