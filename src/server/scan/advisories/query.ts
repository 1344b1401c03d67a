import type { Db } from '../../store/db.js';
import type { Severity, SeverityLevel, SeveritySource } from '../severity.js';
import type { OsvRange, OsvReference } from './osv.js';
import { advisoryKey } from './store.js';

/** An advisory as stored, for lookups by id or alias. */
export interface AdvisoryRecord {
  id: string;
  aliases: string[];
  summary: string;
  details: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  severity: Severity;
  references: OsvReference[];
  affected: { ecosystem: string; name: string; ranges: OsvRange[]; versions: string[] }[];
  source: string;
}

/** One affected-package row joined with what matching reports about its advisory. */
export interface AffectedRow {
  advisoryId: string;
  position: number;
  ecosystem: string;
  name: string;
  nameKey: string;
  /** JSON text of the OSV `ranges` list. */
  ranges: string;
  /** JSON text of the OSV `versions` list. */
  versions: string;
  /** The entry's own severity, else null. */
  ownSeverity: Severity | null;
  severity: Severity;
  summary: string;
  /** JSON text of the references list. */
  refs: string;
}

interface SeverityColumns {
  level: string | null;
  score: number | null;
  source: string | null;
  vector: string | null;
}

function toSeverity(c: SeverityColumns): Severity | null {
  if (!c.level) return null;
  return {
    level: c.level as SeverityLevel,
    score: c.score === null ? null : Number(c.score),
    source: c.source as SeveritySource,
    vector: c.vector,
  };
}

const UNKNOWN: Severity = { level: 'Unknown', score: null, source: null, vector: null };

/** The names per query: few enough to stay under every database's parameter limit. */
const NAMES_PER_QUERY = 500;

/**
 * The affected-package rows of live (not withdrawn) advisories for the given folded names of
 * one ecosystem, queried in batches.
 */
export async function loadAffectedRows(
  db: Db,
  ecosystem: string,
  nameKeys: string[],
): Promise<AffectedRow[]> {
  const out: AffectedRow[] = [];
  const unique = [...new Set(nameKeys)];
  for (let i = 0; i < unique.length; i += NAMES_PER_QUERY) {
    const rows = await db
      .selectFrom('advisory_packages as p')
      .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
      .where('p.ecosystem', '=', ecosystem)
      .where('p.name_key', 'in', unique.slice(i, i + NAMES_PER_QUERY))
      .where('a.withdrawn', 'is', null)
      .select([
        'p.advisory_id',
        'p.position',
        'p.ecosystem',
        'p.name',
        'p.name_key',
        'p.ranges',
        'p.versions',
        'p.severity_level',
        'p.severity_score',
        'p.severity_source',
        'p.severity_vector',
        'a.severity_level as a_level',
        'a.severity_score as a_score',
        'a.severity_source as a_source',
        'a.severity_vector as a_vector',
        'a.summary',
        'a.refs',
      ])
      .execute();
    for (const r of rows) {
      out.push({
        advisoryId: r.advisory_id,
        position: r.position,
        ecosystem: r.ecosystem,
        name: r.name,
        nameKey: r.name_key,
        ranges: r.ranges,
        versions: r.versions,
        ownSeverity: toSeverity({
          level: r.severity_level,
          score: r.severity_score,
          source: r.severity_source,
          vector: r.severity_vector,
        }),
        severity:
          toSeverity({ level: r.a_level, score: r.a_score, source: r.a_source, vector: r.a_vector }) ??
          UNKNOWN,
        summary: r.summary,
        refs: r.refs,
      });
    }
  }
  return out;
}

/** The aliases of each of `ids` (ids without aliases are absent from the map). */
export async function loadAliases(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += NAMES_PER_QUERY) {
    const rows = await db
      .selectFrom('advisory_aliases')
      .select(['advisory_id', 'alias'])
      .where('advisory_id', 'in', unique.slice(i, i + NAMES_PER_QUERY))
      .orderBy('advisory_id')
      .orderBy('alias')
      .execute();
    for (const r of rows) {
      const list = out.get(r.advisory_id) ?? [];
      list.push(r.alias);
      out.set(r.advisory_id, list);
    }
  }
  return out;
}

/** The `details` text of each of `ids`. */
export async function loadDetails(db: Db, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += NAMES_PER_QUERY) {
    const rows = await db
      .selectFrom('advisories')
      .select(['id', 'details'])
      .where('id', 'in', unique.slice(i, i + NAMES_PER_QUERY))
      .execute();
    for (const r of rows) out.set(r.id, r.details);
  }
  return out;
}

/**
 * The advisories whose id or one of whose aliases is `idOrAlias` (case-insensitive), withdrawn
 * ones included; several when databases share an alias (a CVE published by PyPA and GitHub).
 * Sorted by id; empty when none.
 */
export async function lookupAdvisories(db: Db, idOrAlias: string): Promise<AdvisoryRecord[]> {
  const key = advisoryKey(idOrAlias);
  if (key === '') return [];
  const byAlias = db.selectFrom('advisory_aliases').select('advisory_id').where('alias_key', '=', key);
  const rows = await db
    .selectFrom('advisories')
    .selectAll()
    .where((eb) => eb.or([eb('id_key', '=', key), eb('id', 'in', byAlias)]))
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const aliases = await loadAliases(db, ids);
  const packages = await db
    .selectFrom('advisory_packages')
    .select(['advisory_id', 'ecosystem', 'name', 'ranges', 'versions'])
    .where('advisory_id', 'in', ids)
    .orderBy('advisory_id')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    aliases: aliases.get(r.id) ?? [],
    summary: r.summary,
    details: r.details,
    modified: r.modified,
    published: r.published,
    withdrawn: r.withdrawn,
    severity:
      toSeverity({
        level: r.severity_level,
        score: r.severity_score,
        source: r.severity_source,
        vector: r.severity_vector,
      }) ?? UNKNOWN,
    references: JSON.parse(r.refs) as OsvReference[],
    affected: packages
      .filter((p) => p.advisory_id === r.id)
      .map((p) => ({
        ecosystem: p.ecosystem,
        name: p.name,
        ranges: JSON.parse(p.ranges) as OsvRange[],
        versions: JSON.parse(p.versions) as string[],
      })),
    source: r.source,
  }));
}
