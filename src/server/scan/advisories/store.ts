import crypto from 'node:crypto';
import {
  loadStoredPackages as storedPackages,
  loadStoredVersions as storedVersions,
  writeAdvisories as storeAdvisories,
  type AdvisoryRows,
  type NewAdvisoryPackage,
  type StoredVersion,
} from '../../store/advisories.js';
import type { Db } from '../../store/db.js';
import { advisorySeverity, affectedSeverity } from '../severity.js';
import { normalizeEcosystem } from '../versions/index.js';
import type { OsvAdvisory } from './osv.js';
import { packageNameKey } from './package-names.js';

export type { AdvisoryRows, StoredVersion } from '../../store/advisories.js';

/** An (ecosystem, package) pair, with the folded name the tables index. */
export interface PackageRef {
  ecosystem: string;
  name: string;
  nameKey: string;
}

/** sha256 (hex) of a document's text. */
export function digestText(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Upper-cased key for id and alias lookups (CVE-, GHSA-, PYSEC- ids compare case-insensitively). */
export function advisoryKey(idOrAlias: string): string {
  return idOrAlias.trim().toUpperCase();
}

/**
 * Turns an OSV document into table rows. Only what matching and reporting need is kept in
 * columns; `raw` keeps the small remainder (schema version, related ids, severity list,
 * database_specific) and drops what the other columns and rows already hold.
 */
export function advisoryToRows(
  doc: OsvAdvisory,
  digest: string,
  source: string,
  importedAt: string,
): AdvisoryRows {
  const severity = advisorySeverity(doc);
  const raw: Record<string, unknown> = {};
  for (const key of ['schema_version', 'related', 'severity', 'database_specific'] as const) {
    if (doc[key] !== undefined) raw[key] = doc[key];
  }
  const aliases = [...new Set((doc.aliases ?? []).filter((a) => a.trim() !== '' && a !== doc.id))];
  const packages: NewAdvisoryPackage[] = [];
  (doc.affected ?? []).forEach((affected, position) => {
    if (!affected.package) return;
    const own = affectedSeverity(affected);
    packages.push({
      advisory_id: doc.id,
      position,
      ecosystem: normalizeEcosystem(affected.package.ecosystem),
      name: affected.package.name,
      name_key: packageNameKey(affected.package.ecosystem, affected.package.name),
      purl: affected.package.purl ?? null,
      ranges: affected.ranges ?? [],
      versions: affected.versions ?? [],
      severity_level: own?.level ?? null,
      severity_score: own?.score ?? null,
      severity_source: own?.source ?? null,
      severity_vector: own?.vector ?? null,
    });
  });
  return {
    advisory: {
      id: doc.id,
      id_key: advisoryKey(doc.id),
      modified: doc.modified,
      published: doc.published ?? null,
      withdrawn: doc.withdrawn ?? null,
      summary: doc.summary ?? '',
      details: doc.details ?? '',
      severity_level: severity.level,
      severity_score: severity.score,
      severity_source: severity.source,
      severity_vector: severity.vector,
      refs: (doc.references ?? []).map((r) => ({ type: r.type, url: r.url })),
      raw,
      digest,
      source,
      imported_at: importedAt,
    },
    aliases: aliases.map((alias) => ({ advisory_id: doc.id, alias, alias_key: advisoryKey(alias) })),
    packages,
  };
}

/** The stored `modified` and digest of each of `ids` that exists. */
export function loadStoredVersions(db: Db, ids: string[]): Promise<Map<string, StoredVersion>> {
  return storedVersions({ db }, ids);
}

/** The packages the stored versions of `ids` name (they need a rescan when the advisory changes). */
export function loadStoredPackages(db: Db, ids: string[]): Promise<PackageRef[]> {
  return storedPackages({ db }, ids);
}

/**
 * Writes one batch in one transaction: the advisories in `replaced` lose their old rows, then
 * every advisory in `rows` is inserted with its aliases and packages.
 */
export function writeAdvisories(db: Db, replaced: string[], rows: AdvisoryRows[]): Promise<void> {
  return storeAdvisories({ db }, replaced, rows);
}
