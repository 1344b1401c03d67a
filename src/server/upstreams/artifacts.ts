import crypto from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
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
import { openOutboundStream, type OutboundStream } from '../net/outbound.js';
import { TooLargeError, type StagedBlob } from '../store/blobs.js';
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

/** An artifact fetched from an upstream, verified. */
export interface FetchedArtifact {
  size: number;
  sha256: string;
  /** The package created for it in Cache and Proxy mode (null in Proxy Only mode or when it could not be kept). */
  packageId: string | null;
  /** Its bytes: from the blob store once kept, else from memory. */
  open(): Promise<Readable>;
}

/** The artifact's identity in the repository. */
export interface ArtifactTarget {
  repo: RepoRef;
  format: string;
  name: string;
  version: string;
  filename: string;
}

/** Largest artifact served in Proxy Only mode, which holds it in memory while it is verified. */
export const PROXY_ONLY_MAX_BYTES = 512 * 1024 * 1024;

const ALGORITHMS = ['sha512', 'sha384', 'sha256', 'sha1'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

interface Check {
  algorithm: Algorithm;
  expected: string;
  encoding: 'hex' | 'base64';
}

/** The digests to check, strongest first: every SRI entry the service can compute, and the hex digests. */
function checksOf(declared: DeclaredIntegrity): Check[] {
  const checks: Check[] = [];
  for (const entry of (declared.sri ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)(\?.*)?$/.exec(entry);
    if (m) checks.push({ algorithm: m[1] as Algorithm, expected: m[2]!, encoding: 'base64' });
  }
  for (const [algorithm, value] of Object.entries(declared.hex ?? {})) {
    if (value)
      checks.push({ algorithm: algorithm as Algorithm, expected: value.toLowerCase(), encoding: 'hex' });
  }
  return checks.sort((a, b) => ALGORITHMS.indexOf(a.algorithm) - ALGORITHMS.indexOf(b.algorithm));
}

/** Hashes what passes through it with every algorithm the checks need. */
class Hasher extends Transform {
  readonly hashes: Map<Algorithm, crypto.Hash>;
  constructor(algorithms: Iterable<Algorithm>) {
    super();
    this.hashes = new Map([...new Set(algorithms)].map((a) => [a, crypto.createHash(a)]));
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    for (const h of this.hashes.values()) h.update(chunk);
    done(null, chunk);
  }
}

/**
 * Why the bytes differ from what the upstream declared (every declared digest counts: an upstream
 * whose two digests disagree is not to be trusted either way), or null when they match.
 */
function mismatch(digests: Map<Algorithm, Buffer>, checks: Check[]): string | null {
  for (const c of checks) {
    const actual = digests.get(c.algorithm)!.toString(c.encoding);
    if (actual !== c.expected) return `its ${c.algorithm} is ${actual}, the upstream declared ${c.expected}`;
  }
  return null;
}

/**
 * Downloads an artifact from an upstream and verifies it against the upstream's declared
 * integrity (a mismatch is `upstream_failed`, 502, and nothing is kept). In Cache and Proxy mode
 * the bytes are streamed into the blob store while hashed, so memory stays bounded, and become a
 * Package of the repository, created by the service and announced like any other so that it is
 * scanned; in Proxy Only mode they are held in memory while verified, served, and not kept.
 */
export async function fetchArtifact(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  url: string,
  declared: DeclaredIntegrity,
  target: ArtifactTarget,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<FetchedArtifact> {
  const checks = checksOf(declared);
  if (checks.length === 0) {
    throw refused(ctx, upstream, url, target, 'the upstream declared no digest to check the bytes against');
  }
  const keep = upstream.mode === 'Cache and Proxy';
  const limit = ctx.config.limits.uploadBytes;
  const maxBytes = keep ? limit : Math.min(limit, PROXY_ONLY_MAX_BYTES);
  let res: OutboundStream;
  try {
    res = await openOutboundStream(policyFor(ctx.config.outbound.allow), {
      url,
      // Credentials go only to the upstream itself, never to another host its document names.
      headers: sameOrigin(url, upstream.upstream_url)
        ? { ...upstreamHeaders(ctx, upstream), Accept: '*/*' }
        : { 'User-Agent': 'airlock-upstream', Accept: '*/*' },
      deadlineMs: timing.artifactDeadlineMs,
      verifyTls: upstream.verify_ssl === 1,
    });
  } catch (err) {
    throw failed(ctx, upstream, target, err instanceof Error ? err.message : String(err));
  }
  if (res.status !== 200) {
    res.body.resume();
    throw failed(ctx, upstream, target, `it answered HTTP ${res.status}`);
  }
  const hasher = new Hasher([...checks.map((c) => c.algorithm), 'sha256']);
  res.body.on('error', (err) => hasher.destroy(err));
  res.body.pipe(hasher);
  let staged: StagedBlob | null = null;
  let bytes: Buffer | null = null;
  try {
    if (keep) staged = await ctx.blobs.stage(hasher, maxBytes);
    else bytes = await collect(hasher, maxBytes);
  } catch (err) {
    res.body.destroy();
    const reason =
      err instanceof TooLargeError
        ? `the file is larger than ${maxBytes} bytes`
        : err instanceof Error
          ? err.message
          : String(err);
    throw failed(ctx, upstream, target, reason);
  }
  const digests = new Map<Algorithm, Buffer>([...hasher.hashes].map(([a, h]) => [a, h.digest()]));
  const sha256 = digests.get('sha256')!.toString('hex');
  const problem = mismatch(digests, checks);
  if (problem) {
    await staged?.discard();
    const why = `its bytes do not match the integrity the upstream declared (${problem})`;
    throw refused(ctx, upstream, url, target, why);
  }
  if (bytes) {
    const held = bytes;
    return { size: held.length, sha256, packageId: null, open: async () => Readable.from([held]) };
  }
  const blob = staged!;
  const packageId = await keepArtifact(ctx, upstream, blob, target);
  return { size: blob.size, sha256, packageId, open: () => ctx.blobs.read(sha256) };
}

async function collect(source: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > maxBytes) throw new TooLargeError(maxBytes);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function refused(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  url: string,
  target: ArtifactTarget,
  why: string,
): ServiceError {
  ctx.log.warn({ upstream: upstream.id, url, file: target.filename, why }, 'upstream artifact refused');
  return new ServiceError(
    'upstream_failed',
    `Refused ${target.filename} from upstream '${upstream.name}': ${why}. Nothing was stored.`,
  );
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
  staged: StagedBlob,
  target: ArtifactTarget,
): Promise<string | null> {
  const at = ctx.clock();
  const now = at.toISOString();
  // The row first: bytes committed without one could never be collected.
  const { sha256, size, md5, sha1 } = staged;
  await recordBlob(ctx, { sha256, size, md5, sha1, sha512: staged.sha512 }, now);
  await staged.commit();
  try {
    return await createCachedPackage(ctx, upstream, staged, target, at);
  } catch (err) {
    // The verified bytes are committed and still served; the next request tries to keep them again.
    ctx.log.error(
      { err, upstream: upstream.id, file: target.filename },
      'could not keep an upstream artifact',
    );
    return null;
  }
}

async function createCachedPackage(
  ctx: ServiceContext,
  upstream: UpstreamRow,
  staged: StagedBlob,
  target: ArtifactTarget,
  at: Date,
): Promise<string> {
  const now = at.toISOString();
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
  const sameName = row.name_key === nameKeyFor(handler.format, target.name);
  const sameVersion = row.version === target.version || meta.versionOrig === target.version;
  if (!sameName || !sameVersion) {
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
