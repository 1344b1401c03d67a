import {
  findAdvisoriesByKey,
  loadAffectedColumns,
  loadAliases as storedAliases,
  loadDetails as storedDetails,
  readAdvisoryGeneration,
} from '../../store/advisories.js';
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

/**
 * The affected-package rows of live (not withdrawn) advisories for the given folded names of
 * one ecosystem, queried in batches.
 */
export async function loadAffectedRows(
  db: Db,
  ecosystem: string,
  nameKeys: string[],
): Promise<AffectedRow[]> {
  const rows = await loadAffectedColumns({ db }, ecosystem, nameKeys);
  return rows.map((r) => ({
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
      toSeverity({ level: r.a_level, score: r.a_score, source: r.a_source, vector: r.a_vector }) ?? UNKNOWN,
    summary: r.summary,
    refs: r.refs,
  }));
}

/** The aliases of each of `ids` (ids without aliases are absent from the map). */
export function loadAliases(db: Db, ids: string[]): Promise<Map<string, string[]>> {
  return storedAliases({ db }, ids);
}

/** The advisory generation: changes whenever any process writes advisory rows. */
export function loadAdvisoryGeneration(db: Db): Promise<string> {
  return readAdvisoryGeneration({ db });
}

/** The `details` text of each of `ids`. */
export function loadDetails(db: Db, ids: string[]): Promise<Map<string, string>> {
  return storedDetails({ db }, ids);
}

/**
 * The advisories whose id or one of whose aliases is `idOrAlias` (case-insensitive), withdrawn
 * ones included; several when databases share an alias (a CVE published by PyPA and GitHub).
 * Sorted by id; empty when none.
 */
export async function lookupAdvisories(db: Db, idOrAlias: string): Promise<AdvisoryRecord[]> {
  const key = advisoryKey(idOrAlias);
  if (key === '') return [];
  const { advisories, packages } = await findAdvisoriesByKey({ db }, key);
  if (advisories.length === 0) return [];
  const aliases = await loadAliases(
    db,
    advisories.map((r) => r.id),
  );
  return advisories.map((r) => ({
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
    references: r.refs as OsvReference[],
    affected: packages
      .filter((p) => p.advisory_id === r.id)
      .map((p) => ({
        ecosystem: p.ecosystem,
        name: p.name,
        ranges: p.ranges as OsvRange[],
        versions: p.versions,
      })),
    source: r.source,
  }));
}
