import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { VulnerabilityScan } from '../../api/vulnerabilities.js';
import { emitPackageEvent, type ServiceContext } from '../domain/context.js';
import { newId } from '../domain/ids.js';
import type { Component, ExtractInput, ExtractLimits, ExtractResult } from './extract/types.js';
import { buildScans, maxSeverity, type AdvisoryMatcher } from './findings.js';

/** The reference's `security_scan_status` strings. */
export const SCAN_STATUS = {
  awaiting: 'Awaiting Security Scan',
  inProgress: 'Security Scanning in Progress',
  vulnerable: 'Scan Detected Vulnerabilities',
  clean: 'Scan Detected No Vulnerabilities',
  failed: 'Security Scanning Failed',
  notSupported: 'Security Scanning Not Supported',
} as const;

/** What a scan needs besides the context: reading components out of a file, and matching them. */
export interface ScanDeps {
  extract(input: ExtractInput, limits?: ExtractLimits): Promise<ExtractResult>;
  match: AdvisoryMatcher;
  /** Evaluates org policies after a scan; returns true when it quarantined the package. */
  evaluatePolicies(ctx: ServiceContext, packageId: string, scans: VulnerabilityScan[]): Promise<boolean>;
  /** Folds a component name as the advisory tables do (so rescans find the packages an advisory touches). */
  foldName(ecosystem: string, name: string): string;
}

/** A blob store that can hand out the path of a committed blob on the local disk. */
interface LocalBlobs {
  localPath?(sha256: string): string | null;
}

/** Runs `fn` with a local file holding the blob: the blob itself when on disk, else a temporary copy. */
async function withLocalFile<T>(
  ctx: ServiceContext,
  sha256: string,
  fn: (file: string) => Promise<T>,
): Promise<T> {
  const direct = (ctx.blobs as LocalBlobs).localPath?.(sha256);
  if (direct) return fn(direct);
  const tmp = path.join(ctx.config.dataDir, 'tmp', `scan-${newId()}`);
  try {
    await pipeline(await ctx.blobs.read(sha256), fs.createWriteStream(tmp));
    return await fn(tmp);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

/**
 * Scans one package: reads its components, matches them against the advisories, stores the
 * results as a new scan, sets `security_scan_status`, evaluates the org's policies and announces
 * `package.security_scanned`. A hostile or unreadable artifact ends as "Security Scanning Failed"
 * with the reason; unknown content as "Security Scanning Not Supported".
 */
export async function scanPackage(ctx: ServiceContext, deps: ScanDeps, packageId: string): Promise<void> {
  const pkg = await ctx.db
    .selectFrom('packages')
    .select(['id', 'org_id', 'repo_id', 'format', 'filename', 'blob_sha256', 'deleted_at'])
    .where('id', '=', packageId)
    .executeTakeFirst();
  if (!pkg || pkg.deleted_at !== null) return;
  const started = ctx.clock().toISOString();
  await ctx.db
    .updateTable('packages')
    .set({ security_scan_status: SCAN_STATUS.inProgress, security_scan_started_at: started })
    .where('id', '=', packageId)
    .execute();

  let outcome: 'vulnerable' | 'clean' | 'failed' | 'not_supported';
  let reason = '';
  let components: Component[] = [];
  let scans: VulnerabilityScan[] = [];
  try {
    const result = await withLocalFile(ctx, pkg.blob_sha256, (file) =>
      deps.extract({ path: file, filename: pkg.filename, format: pkg.format }),
    );
    if (result.status === 'ok') {
      components = result.components;
      scans = buildScans(components, await deps.match(ctx.db, components));
      outcome = scans.some((s) => s.results.length > 0) ? 'vulnerable' : 'clean';
    } else {
      outcome = result.status;
      reason = result.reason;
    }
  } catch (err) {
    // The matcher or the store failing is the service's fault, not the artifact's: retry the job.
    throw new Error(
      `Scan of package ${packageId} could not finish: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  const completed = ctx.clock().toISOString();
  const numVulns = scans.reduce((n, s) => n + s.results.length, 0);
  const status = {
    vulnerable: SCAN_STATUS.vulnerable,
    clean: SCAN_STATUS.clean,
    failed: SCAN_STATUS.failed,
    not_supported: SCAN_STATUS.notSupported,
  }[outcome];
  await ctx.db.transaction().execute(async (trx) => {
    const last = await trx
      .selectFrom('scans')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    const scanId = newId();
    await trx
      .insertInto('scans')
      .values({
        id: scanId,
        seq: Number(last?.seq ?? 0) + 1,
        package_id: pkg.id,
        org_id: pkg.org_id,
        repo_id: pkg.repo_id,
        outcome,
        reason,
        num_components: components.length,
        num_vulnerabilities: numVulns,
        max_severity: maxSeverity(scans),
        started_at: started,
        completed_at: completed,
      })
      .execute();
    let ordinal = 0;
    const rows = scans.map((s) => ({
      scan_id: scanId,
      ordinal: ordinal++,
      target: s.target,
      type: s.type,
      finding: JSON.stringify(s.results),
    }));
    for (let i = 0; i < rows.length; i += 200)
      await trx
        .insertInto('scan_findings')
        .values(rows.slice(i, i + 200))
        .execute();
    await trx.deleteFrom('package_components').where('package_id', '=', pkg.id).execute();
    const seen = new Set<string>();
    const comps = components
      .map((c) => ({
        package_id: pkg.id,
        ecosystem: c.ecosystem,
        name: deps.foldName(c.ecosystem, c.name),
        version: c.version,
        location: c.location,
      }))
      .filter((c) => {
        const key = `${c.ecosystem}\0${c.name}\0${c.version}`;
        return seen.has(key) ? false : (seen.add(key), true);
      });
    for (let i = 0; i < comps.length; i += 200)
      await trx
        .insertInto('package_components')
        .values(comps.slice(i, i + 200))
        .execute();
    await trx
      .updateTable('packages')
      .set({ security_scan_status: status, security_scan_completed_at: completed })
      .where('id', '=', pkg.id)
      .execute();
  });
  const quarantined = await deps.evaluatePolicies(ctx, pkg.id, scans);
  await emitPackageEvent(ctx, 'package.security_scanned', pkg.id, {
    outcome,
    num_vulnerabilities: numVulns,
    reason: reason || undefined,
  });
  if (quarantined) await emitPackageEvent(ctx, 'package.quarantined', pkg.id, { reason: 'policy violation' });
}
