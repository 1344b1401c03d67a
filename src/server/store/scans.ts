import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Selectable } from 'kysely';
import type { NotEvaluatedComponent, Vulnerability } from '../../api/vulnerabilities.js';
import type { Db } from './db.js';
import type { ScansTable } from './schema.js';
import { inGroupCommit } from './group-commit.js';
import { dbOf, inTransaction, type DbSource } from './source.js';

/** One ecosystem's share of a scan's components, as the scan recorded it. */
export interface StoredEcosystemCount {
  ecosystem: string;
  components: number;
  evaluated: number;
}

/** What a scan recorded about its coverage (the `coverage` JSON column). */
export interface StoredScanCoverage {
  not_evaluated_components: NotEvaluatedComponent[];
  ecosystems: StoredEcosystemCount[];
}

/** A scan row with the package, repository and organisation it belongs to, its coverage as stored (JSON text). */
export type ScanRow = Selectable<ScansTable> & {
  pkg_name: string;
  pkg_version: string;
  repo_slug: string;
  org_slug: string;
};

/** A scan with the names it is shown with, its coverage parsed (null when it recorded none or it cannot be read). */
export type ScanListing = Omit<ScanRow, 'coverage'> & { coverage: StoredScanCoverage | null };

/** One target of a scan (a lock file, the package file) with the vulnerabilities found in it. */
export interface StoredFinding {
  target: string;
  type: string;
  results: Vulnerability[];
}

/** A finished scan to record. */
export type NewScan = Omit<Selectable<ScansTable>, 'seq' | 'coverage'> & {
  coverage: StoredScanCoverage | null;
};

/** A component of a package as the rescan index keeps it: ecosystem, folded name, version, location. */
export type IndexedComponent = [ecosystem: string, name: string, version: string, location: string];

/** What a scan needs of its package, or of a package that is gone. */
export interface ScanTarget {
  id: string;
  org_id: string;
  repo_id: string;
  format: string;
  filename: string;
  blob_sha256: string;
  deleted_at: string | null;
}

/** Evaluated and not-evaluated component counts of one package's latest scan. */
export interface ComponentCounts {
  evaluated: number;
  notEvaluated: number;
}

/** Which scans a listing covers: an organisation's, a repository's or a package's. */
export type ScanScope = { orgId: string } | { repoId: string } | { packageId: string };

function decodeCoverage(text: string | null): StoredScanCoverage | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as StoredScanCoverage;
  } catch {
    return null;
  }
}

function decodeListing(row: ScanRow): ScanListing {
  return { ...row, coverage: decodeCoverage(row.coverage) };
}

/**
 * Selects scans with the package, repository and organisation they belong to (live packages
 * only); rows are raw. Prefer {@link listScans}, which pages and decodes.
 */
export function scanRows(db: Db) {
  return db
    .selectFrom('scans')
    .innerJoin('packages', 'packages.id', 'scans.package_id')
    .innerJoin('repos', 'repos.id', 'scans.repo_id')
    .innerJoin('orgs', 'orgs.id', 'scans.org_id')
    .selectAll('scans')
    .select([
      'packages.name as pkg_name',
      'packages.version as pkg_version',
      'repos.slug as repo_slug',
      'orgs.slug as org_slug',
    ])
    .where('packages.deleted_at', 'is', null);
}

function scopeColumn(scope: ScanScope): ['scans.org_id' | 'scans.repo_id' | 'scans.package_id', string] {
  if ('orgId' in scope) return ['scans.org_id', scope.orgId];
  if ('repoId' in scope) return ['scans.repo_id', scope.repoId];
  return ['scans.package_id', scope.packageId];
}

/** The scans of a scope, newest first (by completion, then number); one page when `window` is given. */
export async function listScans(
  source: DbSource,
  scope: ScanScope,
  window?: { offset: number; size: number },
): Promise<ScanListing[]> {
  const [column, value] = scopeColumn(scope);
  let query = scanRows(dbOf(source))
    .where(column, '=', value)
    .orderBy('scans.completed_at', 'desc')
    .orderBy('scans.seq', 'desc');
  if (window) query = query.limit(window.size).offset(window.offset);
  return (await query.execute()).map(decodeListing);
}

/** How many scans an organisation or a repository holds (those of deleted packages included). */
export async function countScans(
  source: DbSource,
  scope: { orgId: string } | { repoId: string },
): Promise<number> {
  const query = dbOf(source)
    .selectFrom('scans')
    .select((eb) => eb.fn.countAll<number>().as('count'));
  const { count } = await (
    'orgId' in scope ? query.where('org_id', '=', scope.orgId) : query.where('repo_id', '=', scope.repoId)
  ).executeTakeFirstOrThrow();
  return Number(count);
}

/** One scan of a live package by its identifier, or undefined. */
export async function findPackageScan(
  source: DbSource,
  packageId: string,
  scanId: string,
): Promise<ScanListing | undefined> {
  const row = await scanRows(dbOf(source))
    .where('scans.package_id', '=', packageId)
    .where('scans.id', '=', scanId)
    .executeTakeFirst();
  return row && decodeListing(row);
}

/** The findings of a scan, target by target in the order it recorded them. */
export async function listFindings(source: DbSource, scanId: string): Promise<StoredFinding[]> {
  const rows = await dbOf(source)
    .selectFrom('scan_findings')
    .select(['target', 'type', 'finding'])
    .where('scan_id', '=', scanId)
    .orderBy('ordinal')
    .execute();
  return rows.map((f) => ({
    target: f.target,
    type: f.type,
    results: JSON.parse(f.finding) as Vulnerability[],
  }));
}

/** The component counts of each package's latest completed scan; packages never scanned are absent. */
export async function latestComponentCounts(
  source: DbSource,
  packageIds: string[],
): Promise<Map<string, ComponentCounts>> {
  const latest = new Map<string, ComponentCounts & { completedAt: string; seq: number }>();
  if (packageIds.length === 0) return latest;
  const rows = await dbOf(source)
    .selectFrom('scans')
    .select(['package_id', 'completed_at', 'seq', 'num_components_evaluated', 'num_components_not_evaluated'])
    .where('package_id', 'in', packageIds)
    .execute();
  for (const r of rows) {
    const seen = latest.get(r.package_id);
    if (
      seen &&
      (seen.completedAt > r.completed_at || (seen.completedAt === r.completed_at && seen.seq > r.seq))
    )
      continue;
    latest.set(r.package_id, {
      evaluated: Number(r.num_components_evaluated),
      notEvaluated: Number(r.num_components_not_evaluated),
      completedAt: r.completed_at,
      seq: Number(r.seq),
    });
  }
  return latest;
}

/** What a scan needs of a package, or undefined when there is no such package. */
export async function findScanTarget(source: DbSource, packageId: string): Promise<ScanTarget | undefined> {
  return dbOf(source)
    .selectFrom('packages')
    .select(['id', 'org_id', 'repo_id', 'format', 'filename', 'blob_sha256', 'deleted_at'])
    .where('id', '=', packageId)
    .executeTakeFirst();
}

/** A package's `security_scan_status`, and whether it is deleted; undefined when there is no such package. */
export async function findScanStatus(
  source: DbSource,
  packageId: string,
): Promise<{ security_scan_status: string; deleted_at: string | null } | undefined> {
  return dbOf(source)
    .selectFrom('packages')
    .select(['security_scan_status', 'deleted_at'])
    .where('id', '=', packageId)
    .executeTakeFirst();
}

/** Marks a package's scan as started at `at`. */
export async function markScanStarted(
  source: DbSource,
  packageId: string,
  status: string,
  at: string,
): Promise<void> {
  // A group commit, as every write of a scan: see the note above replaceComponents.
  await inGroupCommit(source, (trx) =>
    trx
      .updateTable('packages')
      .set({ security_scan_status: status, security_scan_started_at: at })
      .where('id', '=', packageId)
      .execute(),
  );
}

/** Work that commits with a scan's finished status, in its transaction (the policy verdict). */
export type WithFinishedScan<T> = (trx: Db) => Promise<T>;

/**
 * Marks a package's scan as finished with `status` at `at` (a scan that ran out of attempts), and
 * runs `alongside` in the same transaction after it: what `alongside` records (the policy
 * verdict) is never seen apart from the status. Returns what `alongside` returns.
 */
export async function markScanFinished<T>(
  source: DbSource,
  packageId: string,
  status: string,
  at: string,
  alongside: WithFinishedScan<T>,
): Promise<T> {
  // A fully synced commit, as this path always made: it is rare, and nothing busy waits behind it.
  return inTransaction(source, async (tx) => {
    await tx
      .updateTable('packages')
      .set({ security_scan_status: status, security_scan_completed_at: at })
      .where('id', '=', packageId)
      .execute();
    return alongside(tx);
  });
}

/** Sets the scan status of a live package (a queued scan); a deleted one keeps its own. */
export async function markScanQueued(source: DbSource, packageId: string, status: string): Promise<void> {
  await dbOf(source)
    .updateTable('packages')
    .set({ security_scan_status: status })
    .where('id', '=', packageId)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Component rows per insert; the event loop gets a turn between inserts. */
const COMPONENT_BATCH = 100;
/**
 * Component rows per transaction: one transaction per insert would commit hundreds of times for
 * a large package, one for all rows would keep other writers waiting for the whole insert.
 */
const COMPONENTS_PER_COMMIT = 5_000;

// A scan's writes (its start, its components, the scan and its findings) are group commits
// (group-commit.ts): on SQLite a fully synced commit waits for the disk on the event loop, and a
// scan made about five of them, stalling the uploads and installs running while the scans of what
// was uploaded finish. A scan's rows can be made again: the job that ran it is settled by a fully
// synced commit after them, which syncs the whole log, so a crash of the machine that loses any
// of them loses that settlement too, and the scan runs again.

/**
 * Replaces the component index of a package (what rescans look up) in bounded batches, letting
 * other requests run between them, so a package with 100,000 components never holds the
 * service for the whole insert.
 */
export async function replaceComponents(
  source: DbSource,
  packageId: string,
  rows: IndexedComponent[],
): Promise<void> {
  // The old rows go in the first batch's transaction (or alone, when there are no new ones).
  for (let start = 0; start === 0 || start < rows.length; start += COMPONENTS_PER_COMMIT) {
    const chunk = rows.slice(start, start + COMPONENTS_PER_COMMIT);
    await inGroupCommit(source, async (tx) => {
      if (start === 0)
        await tx.deleteFrom('package_components').where('package_id', '=', packageId).execute();
      for (let i = 0; i < chunk.length; i += COMPONENT_BATCH) {
        await yieldToEventLoop();
        await tx
          .insertInto('package_components')
          .values(
            chunk.slice(i, i + COMPONENT_BATCH).map(([ecosystem, name, version, location]) => ({
              package_id: packageId,
              ecosystem,
              name,
              version,
              location,
            })),
          )
          .execute();
      }
    });
  }
}

/** Findings per insert. */
const FINDINGS_BATCH = 200;

/**
 * Records a finished scan in one transaction: the scan (numbered after the last one), its
 * findings in order, the package's final scan status, and then whatever `alongside` writes (the
 * policy verdict), which reads the new scan and status through the transaction it is given.
 * Whoever reads the status finished therefore finds the verdict of that scan beside it; a crash
 * before the commit leaves none of it. Returns what `alongside` returns.
 */
export async function recordScan<T>(
  source: DbSource,
  scan: NewScan,
  findings: StoredFinding[],
  status: string,
  alongside: WithFinishedScan<T>,
): Promise<T> {
  return inGroupCommit(source, async (tx) => {
    const last = await tx
      .selectFrom('scans')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    await tx
      .insertInto('scans')
      .values({
        ...scan,
        seq: Number(last?.seq ?? 0) + 1,
        coverage: scan.coverage ? JSON.stringify(scan.coverage) : null,
      })
      .execute();
    const rows = findings.map((f, ordinal) => ({
      scan_id: scan.id,
      ordinal,
      target: f.target,
      type: f.type,
      finding: JSON.stringify(f.results),
    }));
    for (let i = 0; i < rows.length; i += FINDINGS_BATCH)
      await tx
        .insertInto('scan_findings')
        .values(rows.slice(i, i + FINDINGS_BATCH))
        .execute();
    await tx
      .updateTable('packages')
      .set({ security_scan_status: status, security_scan_completed_at: scan.completed_at })
      .where('id', '=', scan.package_id)
      .execute();
    return alongside(tx);
  });
}

/** Names per query: few enough to stay under every database's parameter limit. */
const NAMES_PER_QUERY = 500;

/** The live packages that contain a component of `ecosystem` with one of the folded `names`. */
export async function packagesWithComponents(
  source: DbSource,
  ecosystem: string,
  names: string[],
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let i = 0; i < names.length; i += NAMES_PER_QUERY) {
    const rows = await dbOf(source)
      .selectFrom('package_components as c')
      .innerJoin('packages as p', 'p.id', 'c.package_id')
      .select('p.id')
      .distinct()
      .where('c.ecosystem', '=', ecosystem)
      .where('c.name', 'in', names.slice(i, i + NAMES_PER_QUERY))
      .where('p.deleted_at', 'is', null)
      .execute();
    for (const r of rows) ids.add(r.id);
  }
  return ids;
}
