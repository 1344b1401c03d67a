import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type {
  AdvisoriesTable,
  AdvisoryAliasesTable,
  AdvisoryFeedsTable,
  AdvisoryPackagesTable,
} from './schema.js';
import { dbOf, inTransaction, type DbSource } from './source.js';

/** An advisory to store: its references and the rest of its document as values, not JSON text. */
export type NewAdvisory = Omit<Selectable<AdvisoriesTable>, 'refs' | 'raw'> & {
  refs: { type: string; url: string }[];
  raw: Record<string, unknown>;
};

/** One affected-package entry of an advisory to store; `ranges` and `versions` as the OSV lists. */
export type NewAdvisoryPackage = Omit<Selectable<AdvisoryPackagesTable>, 'ranges' | 'versions'> & {
  ranges: unknown[];
  versions: string[];
};

/** The rows one advisory becomes. */
export interface AdvisoryRows {
  advisory: NewAdvisory;
  aliases: Selectable<AdvisoryAliasesTable>[];
  packages: NewAdvisoryPackage[];
}

/** What is stored for an advisory, to decide whether a document changes it. */
export interface StoredVersion {
  modified: string;
  digest: string;
}

/** An (ecosystem, package) pair an advisory names, with the folded name the tables index. */
export interface StoredPackageRef {
  ecosystem: string;
  name: string;
  nameKey: string;
}

/**
 * One affected-package row of a live advisory with the advisory's own columns that matching
 * reports. `ranges`, `versions` and `refs` stay JSON text on purpose: these rows cross to the
 * scan worker, which parses each entry once, when a component needs it, off the service's event
 * loop and heap.
 */
export interface AffectedColumns {
  advisory_id: string;
  position: number;
  ecosystem: string;
  name: string;
  name_key: string;
  ranges: string;
  versions: string;
  severity_level: string | null;
  severity_score: number | null;
  severity_source: string | null;
  severity_vector: string | null;
  a_level: string;
  a_score: number | null;
  a_source: string | null;
  a_vector: string | null;
  summary: string;
  refs: string;
}

/** A stored advisory as a lookup shows it, its references parsed. */
export type AdvisoryDocument = Omit<Selectable<AdvisoriesTable>, 'refs' | 'raw'> & {
  refs: { type: string; url: string }[];
};

/** An affected-package entry as a lookup shows it, its lists parsed. */
export interface AdvisoryPackageEntry {
  advisory_id: string;
  ecosystem: string;
  name: string;
  ranges: unknown[];
  versions: string[];
}

/** The feed state of an ecosystem's advisory data. */
export type FeedRecord = Selectable<AdvisoryFeedsTable>;

/** Feed fields a sync or import sets. */
export type FeedChanges = Partial<Omit<FeedRecord, 'ecosystem'>>;

// Well under SQLite's and PostgreSQL's bound-parameter limits, and large enough to keep
// statement count (and so import time) low.
const PARAMS_PER_STATEMENT = 8000;
/** Ids per `IN` list. */
const IDS_PER_QUERY = 900;
/** Names per `IN` list of the matching queries. */
const NAMES_PER_QUERY = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The stored `modified` and digest of each of `ids` that exists. */
export async function loadStoredVersions(
  source: DbSource,
  ids: string[],
): Promise<Map<string, StoredVersion>> {
  const found = new Map<string, StoredVersion>();
  for (const part of chunks(ids, IDS_PER_QUERY)) {
    const rows = await dbOf(source)
      .selectFrom('advisories')
      .select(['id', 'modified', 'digest'])
      .where('id', 'in', part)
      .execute();
    for (const row of rows) found.set(row.id, { modified: row.modified, digest: row.digest });
  }
  return found;
}

/** The packages the stored versions of `ids` name (they need a rescan when the advisory changes). */
export async function loadStoredPackages(source: DbSource, ids: string[]): Promise<StoredPackageRef[]> {
  const out: StoredPackageRef[] = [];
  for (const part of chunks(ids, IDS_PER_QUERY)) {
    const rows = await dbOf(source)
      .selectFrom('advisory_packages')
      .select(['ecosystem', 'name', 'name_key'])
      .where('advisory_id', 'in', part)
      .execute();
    for (const r of rows) out.push({ ecosystem: r.ecosystem, name: r.name, nameKey: r.name_key });
  }
  return out;
}

async function insertMany<T extends 'advisories' | 'advisory_aliases' | 'advisory_packages'>(
  source: DbSource,
  table: T,
  rows: Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const perRow = Object.keys(rows[0]!).length;
  for (const part of chunks(rows, Math.max(1, Math.floor(PARAMS_PER_STATEMENT / perRow)))) {
    // Kysely cannot narrow a generic table's insert type; the rows were typed by the caller.
    await dbOf(source)
      .insertInto(table)
      .values(part as never)
      .execute();
  }
}

/** The settings row whose value changes with every write of advisory rows. */
const GENERATION_KEY = 'advisories.generation';

/**
 * The advisory generation: a value that changes, in the same transaction, whenever any advisory
 * row is written, so that a process holding advisories in memory can tell, with one row read,
 * whether any process sharing the database has changed them since. Empty before the first write.
 */
export async function readAdvisoryGeneration(source: DbSource): Promise<string> {
  const row = await dbOf(source)
    .selectFrom('settings')
    .select('value')
    .where('key', '=', GENERATION_KEY)
    .executeTakeFirst();
  return row?.value ?? '';
}

/**
 * Writes one batch in one transaction: the advisories in `replaced` lose their old rows, then
 * every advisory in `rows` is inserted with its aliases and packages, and the advisory
 * generation changes (a fresh random value: writers never need to read it first, and two
 * concurrent writers both leave a value no reader has seen).
 */
export async function writeAdvisories(
  source: DbSource,
  replaced: string[],
  rows: AdvisoryRows[],
): Promise<void> {
  if (replaced.length === 0 && rows.length === 0) return;
  await inTransaction(source, async (tx) => {
    for (const part of chunks(replaced, IDS_PER_QUERY)) {
      await tx.deleteFrom('advisory_aliases').where('advisory_id', 'in', part).execute();
      await tx.deleteFrom('advisory_packages').where('advisory_id', 'in', part).execute();
      await tx.deleteFrom('advisories').where('id', 'in', part).execute();
    }
    await insertMany(
      tx,
      'advisories',
      rows.map(({ advisory }) => ({
        ...advisory,
        refs: JSON.stringify(advisory.refs),
        raw: JSON.stringify(advisory.raw),
      })),
    );
    await insertMany(
      tx,
      'advisory_aliases',
      rows.flatMap((r) => r.aliases),
    );
    await insertMany(
      tx,
      'advisory_packages',
      rows.flatMap((r) =>
        r.packages.map((p) => ({
          ...p,
          ranges: JSON.stringify(p.ranges),
          versions: JSON.stringify(p.versions),
        })),
      ),
    );
    const generation = randomUUID();
    await tx
      .insertInto('settings')
      .values({ key: GENERATION_KEY, value: generation })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: generation }))
      .execute();
  });
}

/**
 * The affected-package rows of live (not withdrawn) advisories for the given folded names of
 * one ecosystem, queried in batches.
 */
export async function loadAffectedColumns(
  source: DbSource,
  ecosystem: string,
  nameKeys: string[],
): Promise<AffectedColumns[]> {
  const out: AffectedColumns[] = [];
  for (const part of chunks([...new Set(nameKeys)], NAMES_PER_QUERY)) {
    const rows = await dbOf(source)
      .selectFrom('advisory_packages as p')
      .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
      .where('p.ecosystem', '=', ecosystem)
      .where('p.name_key', 'in', part)
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
    out.push(...rows);
  }
  return out;
}

/** The aliases of each of `ids`, sorted (ids without aliases are absent from the map). */
export async function loadAliases(source: DbSource, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks([...new Set(ids)], NAMES_PER_QUERY)) {
    const rows = await dbOf(source)
      .selectFrom('advisory_aliases')
      .select(['advisory_id', 'alias'])
      .where('advisory_id', 'in', part)
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
export async function loadDetails(source: DbSource, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks([...new Set(ids)], NAMES_PER_QUERY)) {
    const rows = await dbOf(source)
      .selectFrom('advisories')
      .select(['id', 'details'])
      .where('id', 'in', part)
      .execute();
    for (const r of rows) out.set(r.id, r.details);
  }
  return out;
}

/**
 * The advisories whose upper-cased id or one of whose aliases is `key`, withdrawn ones
 * included, sorted by id, with their affected-package entries in order.
 */
export async function findAdvisoriesByKey(
  source: DbSource,
  key: string,
): Promise<{ advisories: AdvisoryDocument[]; packages: AdvisoryPackageEntry[] }> {
  const byAlias = dbOf(source)
    .selectFrom('advisory_aliases')
    .select('advisory_id')
    .where('alias_key', '=', key);
  const rows = await dbOf(source)
    .selectFrom('advisories')
    .selectAll()
    .where((eb) => eb.or([eb('id_key', '=', key), eb('id', 'in', byAlias)]))
    .orderBy('id')
    .execute();
  if (rows.length === 0) return { advisories: [], packages: [] };
  const packages = await dbOf(source)
    .selectFrom('advisory_packages')
    .select(['advisory_id', 'ecosystem', 'name', 'ranges', 'versions'])
    .where(
      'advisory_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('advisory_id')
    .orderBy('position')
    .execute();
  return {
    advisories: rows.map(({ raw: _raw, ...r }) => ({
      ...r,
      refs: JSON.parse(r.refs) as AdvisoryDocument['refs'],
    })),
    packages: packages.map((p) => ({
      ...p,
      ranges: JSON.parse(p.ranges) as unknown[],
      versions: JSON.parse(p.versions) as string[],
    })),
  };
}

/** Whether the database holds any advisory at all. */
export async function hasAnyAdvisory(source: DbSource): Promise<boolean> {
  const row = await dbOf(source).selectFrom('advisories').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Live (not withdrawn) advisories per OSV ecosystem, of every ecosystem or of those given. */
export async function countLiveAdvisories(
  source: DbSource,
  ecosystems?: readonly string[],
): Promise<Record<string, number>> {
  if (ecosystems && ecosystems.length === 0) return {};
  let query = dbOf(source)
    .selectFrom('advisory_packages as p')
    .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
    .where('a.withdrawn', 'is', null)
    .select(['p.ecosystem', (eb) => eb.fn.count<number | string>('p.advisory_id').distinct().as('n')])
    .groupBy('p.ecosystem');
  if (ecosystems) query = query.where('p.ecosystem', 'in', ecosystems);
  const counts: Record<string, number> = {};
  for (const row of await query.execute()) counts[row.ecosystem] = Number(row.n);
  return counts;
}

/** Live advisories that name a package of one ecosystem. */
export async function countEcosystemAdvisories(source: DbSource, ecosystem: string): Promise<number> {
  const row = await dbOf(source)
    .selectFrom('advisory_packages as p')
    .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
    .where('p.ecosystem', '=', ecosystem)
    .where('a.withdrawn', 'is', null)
    .select((eb) => eb.fn.count<number | string>('p.advisory_id').distinct().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Which of `ecosystems` hold at least one live advisory (1) and which none (0): one indexed
 * look-up each, cheap enough to run before every scan.
 */
export async function advisoryPresence(
  source: DbSource,
  ecosystems: readonly string[],
): Promise<Record<string, number>> {
  const presence: Record<string, number> = {};
  for (const ecosystem of ecosystems) {
    const row = await dbOf(source)
      .selectFrom('advisory_packages as p')
      .innerJoin('advisories as a', 'a.id', 'p.advisory_id')
      .where('p.ecosystem', '=', ecosystem)
      .where('a.withdrawn', 'is', null)
      .select('p.advisory_id')
      .limit(1)
      .executeTakeFirst();
    presence[ecosystem] = row ? 1 : 0;
  }
  return presence;
}

/** The feed row of an ecosystem, or undefined when it was never synced or imported. */
export async function findFeed(source: DbSource, ecosystem: string): Promise<FeedRecord | undefined> {
  return dbOf(source)
    .selectFrom('advisory_feeds')
    .selectAll()
    .where('ecosystem', '=', ecosystem)
    .executeTakeFirst();
}

/** Every feed row, in no particular order. */
export async function listFeeds(source: DbSource): Promise<FeedRecord[]> {
  return dbOf(source).selectFrom('advisory_feeds').selectAll().execute();
}

/** The given feed columns of each of `ecosystems` that has a feed row. */
export async function feedTimes(
  source: DbSource,
  ecosystems: readonly string[],
): Promise<Pick<FeedRecord, 'ecosystem' | 'updated_at' | 'checked_at'>[]> {
  if (ecosystems.length === 0) return [];
  return dbOf(source)
    .selectFrom('advisory_feeds')
    .select(['ecosystem', 'updated_at', 'checked_at'])
    .where('ecosystem', 'in', ecosystems)
    .execute();
}

/** Creates an ecosystem's feed row with `changes`, or sets them on the one there is. */
export async function upsertFeed(source: DbSource, ecosystem: string, changes: FeedChanges): Promise<void> {
  await dbOf(source)
    .insertInto('advisory_feeds')
    .values({ ecosystem, source: '', advisory_count: 0, ...changes })
    .onConflict((oc) => oc.column('ecosystem').doUpdateSet(changes))
    .execute();
}
