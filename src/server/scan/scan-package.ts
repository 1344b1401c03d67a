import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { VulnerabilityScan } from '../../api/vulnerabilities.js';
import { emitPackageEvent, type ServiceContext } from '../domain/context.js';
import { newId } from '../domain/ids.js';
import {
  findScanTarget,
  listFindings,
  listScans,
  markScanFinished,
  markScanStarted,
  recordScan,
  replaceComponents,
} from '../store/scans.js';
import type { Db } from '../store/db.js';
import type { CoverageRecord } from './coverage.js';
import type { ExtractInput } from './extract/types.js';
import { maxSeverity } from './findings.js';
import type { ComponentRow, ScanAnalysis } from './worker/protocol.js';

/** The reference's `security_scan_status` strings. */
export const SCAN_STATUS = {
  awaiting: 'Awaiting Security Scan',
  inProgress: 'Security Scanning in Progress',
  vulnerable: 'Scan Detected Vulnerabilities',
  clean: 'Scan Detected No Vulnerabilities',
  failed: 'Security Scanning Failed',
  notSupported: 'Security Scanning Not Supported',
} as const;

/** What a scan needs besides the context: reading and matching an artifact, and the org's policies. */
export interface ScanDeps {
  /** Reads the components of a file and matches them (off the event loop, in production). */
  analyse(ctx: ServiceContext, input: ExtractInput): Promise<ScanAnalysis>;
  /**
   * Evaluates org policies against a finished scan in the transaction `tx` that records it,
   * reading and writing only through `tx`; returns true when it quarantined the package.
   */
  evaluatePolicies(
    ctx: ServiceContext,
    tx: Db,
    packageId: string,
    scans: VulnerabilityScan[],
  ): Promise<boolean>;
}

/**
 * Runs `fn` with a scratch file of the blob's bytes in the data directory. The scan worker reads
 * archives by random access (a zip's directory sits at its end), and a file it owns outlives
 * neither the scan nor a move of the blob; the blob store hands out streams, never paths. A store
 * on the same file system links the blob there (no bytes copied); others copy it.
 */
async function withLocalFile<T>(
  ctx: ServiceContext,
  sha256: string,
  fn: (file: string) => Promise<T>,
): Promise<T> {
  const tmp = path.join(ctx.config.dataDir, 'tmp', `scan-${newId()}`);
  try {
    if (!(await ctx.blobs.linkTo?.(sha256, tmp))) {
      await pipeline(await ctx.blobs.read(sha256), fs.createWriteStream(tmp));
    }
    return await fn(tmp);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

/**
 * Scans one package: reads its components, matches them against the advisories, then in one
 * commit stores the results as a new scan, sets `security_scan_status` and records the org's
 * policy verdict (violations, quarantine), and announces `package.security_scanned`. Nobody reads
 * the scan finished before its verdict: the status, the gate's wait and the registries' checks
 * all read the row that commit writes. A hostile or unreadable artifact ends as "Security
 * Scanning Failed" with the reason; unknown content as "Security Scanning Not Supported".
 */
export async function scanPackage(ctx: ServiceContext, deps: ScanDeps, packageId: string): Promise<void> {
  const pkg = await findScanTarget(ctx, packageId);
  if (!pkg || pkg.deleted_at !== null) return;
  const started = ctx.clock().toISOString();
  await markScanStarted(ctx, packageId, SCAN_STATUS.inProgress, started);

  let outcome: 'vulnerable' | 'clean' | 'failed' | 'not_supported';
  let reason = '';
  let numComponents = 0;
  let components: ComponentRow[] = [];
  let scans: VulnerabilityScan[] = [];
  let coverage: CoverageRecord | null = null;
  try {
    const result = await withLocalFile(ctx, pkg.blob_sha256, (file) =>
      deps.analyse(ctx, { path: file, filename: pkg.filename, format: pkg.format }),
    );
    if (result.status === 'ok') {
      ({ numComponents, components, scans, coverage } = result);
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
  await replaceComponents(ctx, pkg.id, components);

  const completed = ctx.clock().toISOString();
  const numVulns = scans.reduce((n, s) => n + s.results.length, 0);
  const status = {
    vulnerable: SCAN_STATUS.vulnerable,
    clean: SCAN_STATUS.clean,
    failed: SCAN_STATUS.failed,
    not_supported: SCAN_STATUS.notSupported,
  }[outcome];
  const quarantined = await recordScan(
    ctx,
    {
      id: newId(),
      package_id: pkg.id,
      org_id: pkg.org_id,
      repo_id: pkg.repo_id,
      outcome,
      reason,
      num_components: numComponents,
      num_components_evaluated: coverage?.evaluated ?? 0,
      num_components_not_evaluated: coverage?.notEvaluated ?? 0,
      limit_reached: coverage?.limitReached ?? null,
      coverage: coverage
        ? { not_evaluated_components: coverage.notEvaluatedComponents, ecosystems: coverage.ecosystems }
        : null,
      num_vulnerabilities: numVulns,
      max_severity: maxSeverity(scans),
      started_at: started,
      completed_at: completed,
    },
    scans.map((s) => ({ target: s.target, type: s.type, results: s.results })),
    status,
    (tx) => deps.evaluatePolicies(ctx, tx, pkg.id, scans),
  );
  await emitPackageEvent(ctx, 'package.security_scanned', pkg.id, {
    outcome,
    num_vulnerabilities: numVulns,
    reason: reason || undefined,
  });
  if (quarantined) await emitPackageEvent(ctx, 'package.quarantined', pkg.id, { reason: 'policy violation' });
}

/**
 * Ends the scan of a package that ran out of attempts (the service failed it, not the artifact):
 * marks it "Security Scanning Failed" and, in the same commit, records the policy verdict against
 * the findings of its latest recorded scan (none for a package never scanned), so the status never
 * reads finished without a verdict. Announces a quarantine that verdict made.
 */
export async function failScan(ctx: ServiceContext, deps: ScanDeps, packageId: string): Promise<void> {
  const quarantined = await markScanFinished(
    ctx,
    packageId,
    SCAN_STATUS.failed,
    ctx.clock().toISOString(),
    async (tx) => {
      // A package deleted while its scan kept failing gets no verdict (a scan of it would not run).
      const pkg = await findScanTarget(tx, packageId);
      if (!pkg || pkg.deleted_at !== null) return false;
      const [latest] = await listScans(tx, { packageId }, { offset: 0, size: 1 });
      const scans = latest ? await listFindings(tx, latest.id) : [];
      return deps.evaluatePolicies(ctx, tx, packageId, scans);
    },
  );
  if (quarantined)
    await emitPackageEvent(ctx, 'package.quarantined', packageId, { reason: 'policy violation' });
}
