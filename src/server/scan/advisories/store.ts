import crypto from 'node:crypto';
import type { Insertable, Transaction } from 'kysely';
import type { Db } from '../../store/db.js';
import type {
  AdvisoriesTable,
  AdvisoryAliasesTable,
  AdvisoryPackagesTable,
  Database,
} from '../../store/schema.js';
import { advisorySeverity, affectedSeverity } from '../severity.js';
import { normalizeEcosystem } from '../versions/index.js';
import type { OsvAdvisory } from './osv.js';
import { packageNameKey } from './package-names.js';

/** The rows one advisory becomes. */
export interface AdvisoryRows {
  advisory: Insertable<AdvisoriesTable>;
  aliases: Insertable<AdvisoryAliasesTable>[];
  packages: Insertable<AdvisoryPackagesTable>[];
}

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
  const packages: Insertable<AdvisoryPackagesTable>[] = [];
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
      ranges: JSON.stringify(affected.ranges ?? []),
      versions: JSON.stringify(affected.versions ?? []),
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
      refs: JSON.stringify((doc.references ?? []).map((r) => ({ type: r.type, url: r.url }))),
      raw: JSON.stringify(raw),
      digest,
      source,
      imported_at: importedAt,
    },
    aliases: aliases.map((alias) => ({ advisory_id: doc.id, alias, alias_key: advisoryKey(alias) })),
    packages,
  };
}

/** What is stored for an advisory, to decide whether a document changes it. */
export interface StoredVersion {
  modified: string;
  digest: string;
}

// Well under SQLite's and PostgreSQL's bound-parameter limits, and large enough to keep
// statement count (and so import time) low.
const PARAMS_PER_STATEMENT = 8000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The stored `modified` and digest of each of `ids` that exists. */
export async function loadStoredVersions(db: Db, ids: string[]): Promise<Map<string, StoredVersion>> {
  const found = new Map<string, StoredVersion>();
  for (const part of chunks(ids, 900)) {
    const rows = await db
      .selectFrom('advisories')
      .select(['id', 'modified', 'digest'])
      .where('id', 'in', part)
      .execute();
    for (const row of rows) found.set(row.id, { modified: row.modified, digest: row.digest });
  }
  return found;
}

/** The packages the stored versions of `ids` name (they need a rescan when the advisory changes). */
export async function loadStoredPackages(db: Db, ids: string[]): Promise<PackageRef[]> {
  const out: PackageRef[] = [];
  for (const part of chunks(ids, 900)) {
    const rows = await db
      .selectFrom('advisory_packages')
      .select(['ecosystem', 'name', 'name_key'])
      .where('advisory_id', 'in', part)
      .execute();
    for (const r of rows) out.push({ ecosystem: r.ecosystem, name: r.name, nameKey: r.name_key });
  }
  return out;
}

async function insertMany<T extends 'advisories' | 'advisory_aliases' | 'advisory_packages'>(
  trx: Transaction<Database>,
  table: T,
  rows: Insertable<Database[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]!).length;
  for (const part of chunks(rows, Math.max(1, Math.floor(PARAMS_PER_STATEMENT / perRow)))) {
    // Kysely cannot narrow a generic table's insert type; the rows were typed by the caller.
    await trx
      .insertInto(table)
      .values(part as never)
      .execute();
  }
}

/**
 * Writes one batch in one transaction: the advisories in `replaced` lose their old rows, then
 * every advisory in `rows` is inserted with its aliases and packages.
 */
export async function writeAdvisories(db: Db, replaced: string[], rows: AdvisoryRows[]): Promise<void> {
  if (replaced.length === 0 && rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const part of chunks(replaced, 900)) {
      await trx.deleteFrom('advisory_aliases').where('advisory_id', 'in', part).execute();
      await trx.deleteFrom('advisory_packages').where('advisory_id', 'in', part).execute();
      await trx.deleteFrom('advisories').where('id', 'in', part).execute();
    }
    await insertMany(
      trx,
      'advisories',
      rows.map((r) => r.advisory),
    );
    await insertMany(
      trx,
      'advisory_aliases',
      rows.flatMap((r) => r.aliases),
    );
    await insertMany(
      trx,
      'advisory_packages',
      rows.flatMap((r) => r.packages),
    );
  });
}
