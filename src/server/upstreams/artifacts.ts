import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { SYSTEM_ACTOR } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { AWAITING_SCAN, completedSync } from '../domain/package-status.js';
import {
  emitEvents,
  findLiveVersion,
  freeSlug,
  recordPackageAudit,
  type PackageRow,
  type RepoRef,
} from '../domain/package-writes.js';
import { isUniqueViolation } from '../domain/repos.js';
import { blobArchiveSource } from '../formats/archive.js';
import { formatHandler, nameKeyFor } from '../formats/index.js';
import { policyFor } from '../net/address-policy.js';
import { sendOutbound, type OutboundResponse } from '../net/outbound.js';
import { insertPackage } from '../store/packages.js';
import { inTransaction } from '../store/source.js';
import { recordBlob } from '../store/upstreams.js';
import type { UpstreamRow } from './config.js';
import { DEFAULT_TIMING, upstreamHeaders, type UpstreamTiming } from './fetch.js';

/** What an upstream declares about an artifact's bytes; at least one digest must be given. */
export interface DeclaredIntegrity {
  /** SRI strings (`sha512-<base64>`, several separated by spaces), as npm's `dist.integrity`. */
  sri?: string | null;
  /** Hex digests by algorithm, as npm's `dist.shasum` (sha1) or a Python `#sha256=` fragment. */
  hex?: Partial<Record<'sha1' | 'sha256' | 'sha512', string>>;
}

/** An artifact fetched from an upstream. */
export interface FetchedArtifact {
  bytes: Buffer;
  sha256: string;
  /** The package created for it in Cache and Proxy mode (null in Proxy Only mode or when it could not be kept). */
  packageId: string | null;
}

/** The artifact's identity in the repository. */
export interface ArtifactTarget {
  repo: RepoRef;
  format: string;
  name: string;
  version: string;
  filename: string;
}

const SRI_ALGORITHMS = ['sha512', 'sha384', 'sha256', 'sha1'] as const;

/**
 * Checks bytes against every digest the upstream declared that the service can compute; the
 * strongest SRI entry of each algorithm counts. Returns why they differ, or null when they match.
 * Refuses bytes with nothing to check them against.
 */
export function integrityProblem(bytes: Buffer, declared: DeclaredIntegrity): string | null {
  const checks: { algorithm: string; expected: string; encoding: 'hex' | 'base64' }[] = [];
  for (const entry of (declared.sri ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(entry);
    if (m) checks.push({ algorithm: m[1]!, expected: m[2]!, encoding: 'base64' });
  }
  for (const [algorithm, value] of Object.entries(declared.hex ?? {})) {
    if (value) checks.push({ algorithm, expected: value.toLowerCase(), encoding: 'hex' });
  }
  if (checks.length === 0) return 'the upstream declared no digest to check the bytes against';
  // The strongest algorithm given decides; weaker ones are checked as well, since an upstream
  // that declares two digests that disagree is not to be trusted either way.
  checks.sort(
    (a, b) => SRI_ALGORITHMS.indexOf(a.algorithm as never) - SRI_ALGORITHMS.indexOf(b.algorithm as never),
  );
  for (const c of checks) {
    const actual = crypto.createHash(c.algorithm).update(bytes).digest(c.encoding);
    if (actual !== c.expected) {
      return `its ${c.algorithm} is ${actual}, the upstream declared ${c.expected}`;
    }
  }
  return null;
}

/**
 * Downloads an artifact from an upstream and verifies it against the upstream's declared
 * integrity (a mismatch is `upstream_failed`, 502, and nothing is stored). In Cache and Proxy
 * mode the bytes are stored content-addressed and become a Package of the repository, created
 * by the service and announced like any other so that it is scanned; in Proxy Only mode they are
 * only served.
 */
export async function fetchArtifact(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  url: string,
  declared: DeclaredIntegrity,
  target: ArtifactTarget,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<FetchedArtifact> {
  let res: OutboundResponse;
  try {
    res = await sendOutbound(policyFor(ctx.config.outbound.allow), {
      url,
      method: 'GET',
      // Credentials go only to the upstream itself, never to another host its document names.
      headers: sameOrigin(url, upstream.upstream_url)
        ? { ...upstreamHeaders(ctx, upstream), Accept: '*/*' }
        : { 'User-Agent': 'airlock-upstream', Accept: '*/*' },
      deadlineMs: timing.artifactDeadlineMs,
      maxBodyBytes: ctx.config.limits.uploadBytes,
      verifyTls: upstream.verify_ssl === 1,
    });
  } catch (err) {
    throw failed(ctx, upstream, target, err instanceof Error ? err.message : String(err));
  }
  if (res.status !== 200) throw failed(ctx, upstream, target, `it answered HTTP ${res.status}`);
  if (res.truncated) throw failed(ctx, upstream, target, `the file is larger than the upload limit`);
  const problem = integrityProblem(res.body, declared);
  if (problem) {
    ctx.log.warn(
      { upstream: upstream.id, url, file: target.filename, problem },
      'upstream artifact refused: bytes do not match the declared integrity',
    );
    throw new ServiceError(
      'upstream_failed',
      `Refused ${target.filename} from upstream '${upstream.name}': its bytes do not match the integrity the upstream declared (${problem}). Nothing was stored.`,
    );
  }
  const sha256 = crypto.createHash('sha256').update(res.body).digest('hex');
  if (upstream.mode !== 'Cache and Proxy') return { bytes: res.body, sha256, packageId: null };
  let packageId: string | null = null;
  try {
    packageId = await keepArtifact(ctx, upstream, res.body, target);
  } catch (err) {
    // The verified bytes are still served; the next request tries to keep them again.
    ctx.log.error(
      { err, upstream: upstream.id, file: target.filename },
      'could not keep an upstream artifact',
    );
  }
  return { bytes: res.body, sha256, packageId };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function failed(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  target: ArtifactTarget,
  reason: string,
): ServiceError {
  ctx.log.warn({ upstream: upstream.id, file: target.filename, reason }, 'upstream artifact download failed');
  return new ServiceError(
    'upstream_failed',
    `Could not fetch ${target.filename} from upstream '${upstream.name}': ${reason}.`,
  );
}

/** Stores verified bytes and creates their package; returns its id (the existing one after a race). */
async function keepArtifact(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  bytes: Buffer,
  target: ArtifactTarget,
): Promise<string> {
  const staged = await ctx.blobs.stage(Readable.from([bytes]), bytes.length);
  const at = ctx.clock();
  const now = at.toISOString();
  // The row first: bytes committed without one could never be collected.
  const { sha256, size, md5, sha1 } = staged;
  await recordBlob(ctx, { sha256, size, md5, sha1, sha512: staged.sha512 }, now);
  await staged.commit();
  const handler = formatHandler(target.format);
  const meta = await handler.readMetadata(
    { filename: target.filename, source: blobArchiveSource(ctx.blobs, staged.sha256, staged.size) },
    { package_file: target.filename },
  );
  const id = newId();
  const row: PackageRow = {
    id,
    org_id: target.repo.orgId,
    repo_id: target.repo.id,
    origin_repo_id: target.repo.id,
    format: handler.format,
    name: meta.name,
    name_key: nameKeyFor(handler.format, meta.name),
    version: meta.version,
    slug: '',
    filename: target.filename,
    blob_sha256: staged.sha256,
    size: staged.size,
    summary: meta.summary,
    description: meta.description,
    license: meta.license,
    metadata: {
      ...meta.extra,
      version_orig: meta.versionOrig,
      spdx_license: meta.spdxLicense,
      package_type: meta.packageType,
      upstream: { slug_perm: upstream.id, name: upstream.name },
    },
    ...completedSync(now),
    is_quarantined: 0,
    policy_violated: 0,
    security_scan_status: AWAITING_SCAN,
    security_scan_started_at: null,
    security_scan_completed_at: null,
    uploaded_at: now,
    uploader_id: null,
    uploader: `upstream:${upstream.name}`,
    identity: null,
    deleted_at: null,
  };
  if (row.name !== target.name || row.version !== target.version) {
    throw new Error(
      `the file holds ${row.name} ${row.version}, the upstream listed it as ${target.name} ${target.version}`,
    );
  }
  try {
    await inTransaction(ctx, async (trx) => {
      const existing = await findLiveVersion(trx, target.repo.id, row);
      if (existing) {
        row.id = existing.id;
        return;
      }
      row.slug = await freeSlug(trx, target.repo.id, row.name, row.version);
      await insertPackage(trx, row);
      await recordPackageAudit(trx, SYSTEM_ACTOR, at, row, target.repo, 'package.created', 'create', {
        summary: `cached from upstream '${upstream.name}' (${upstream.id})`,
        upstream: upstream.id,
        filename: row.filename,
        sha256: row.blob_sha256,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const existing = await findLiveVersion(ctx, target.repo.id, row);
      if (existing) return existing.id;
    }
    throw err;
  }
  if (row.id !== id) return row.id;
  ctx.log.info({ packageId: id, repo: target.repo.path, upstream: upstream.id }, 'upstream artifact cached');
  await emitEvents(ctx, [
    { event: 'package.created', packageId: id },
    { event: 'package.synced', packageId: id },
  ]);
  return id;
}
