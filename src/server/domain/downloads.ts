import type { Readable } from 'node:stream';
import type { ByteRange } from '../store/blobs.js';
import { findLivePackageById, getBlob, type PackageRecord } from '../store/packages.js';
import type { Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { notFound, ServiceError } from './errors.js';
import { resolveRepo } from './repos.js';
import { refuseDenied } from '../policies/deny-guard.js';

/** A package row, as download guards see it. */
export type PackageRow = PackageRecord;

/**
 * A check every download passes before any byte leaves: throws a ServiceError (`quarantined`,
 * `download_denied`, …) to refuse it. Policies add their own to {@link DOWNLOAD_GUARDS}.
 */
export type DownloadGuard = (ctx: ServiceContext, pkg: PackageRow) => Promise<void>;

/** Refuses quarantined packages. */
export const refuseQuarantined: DownloadGuard = async (_ctx, pkg) => {
  if (pkg.is_quarantined === 1) {
    throw new ServiceError(
      'quarantined',
      `Package '${pkg.name}' ${pkg.version} (${pkg.id}) is quarantined and cannot be downloaded; an Admin may release it.`,
    );
  }
};

/** The guards every download runs, in order; the quarantine check comes first. */
export const DOWNLOAD_GUARDS: DownloadGuard[] = [refuseQuarantined, refuseDenied];

/** A file the caller may download, with what its response headers need. */
export interface DownloadFile {
  packageId: string;
  filename: string;
  size: number;
  sha256: string;
  md5: string;
  sha1: string;
}

/**
 * Resolves `GET /dl/{owner}/{repo}/{slug_perm}/{filename}` (a package's `cdn_url`): Read on the
 * repository (anonymous on a public one), a live package of that repository with that file
 * name, and every download guard passed.
 */
export async function resolveDownload(
  ctx: ServiceContext,
  actor: Actor,
  args: { owner: string; repo: string; slugPerm: string; filename: string },
): Promise<DownloadFile> {
  const access = await resolveRepo(ctx, actor, args.owner, args.repo, 'Read');
  const pkg = await findLivePackageById(ctx, access.repo.id, args.slugPerm);
  if (!pkg || pkg.filename !== args.filename) {
    throw notFound(`File '${args.filename}' of package '${args.slugPerm}' in ${args.owner}/${args.repo}`);
  }
  for (const guard of DOWNLOAD_GUARDS) await guard(ctx, pkg);
  const blob = await getBlob(ctx, pkg.blob_sha256);
  return {
    packageId: pkg.id,
    filename: pkg.filename,
    size: Number(blob.size),
    sha256: blob.sha256,
    md5: blob.md5,
    sha1: blob.sha1,
  };
}

/** Opens the bytes of a resolved download, whole or one range. */
export async function openDownload(
  ctx: ServiceContext,
  file: DownloadFile,
  range?: ByteRange,
): Promise<Readable> {
  return ctx.blobs.read(file.sha256, range);
}

/** Seconds a presigned download link works: long enough to start, short enough not to share. */
const DOWNLOAD_LINK_SECONDS = 300;

/**
 * Where to send the client for the bytes of a resolved download instead of streaming them: a
 * short-lived presigned URL of the bucket when the blob store is set to hand them out, else null.
 */
export async function downloadRedirect(ctx: ServiceContext, file: DownloadFile): Promise<string | null> {
  return ctx.blobs.downloadLink(file.sha256, {
    filename: file.filename,
    expiresInSeconds: DOWNLOAD_LINK_SECONDS,
  });
}

/**
 * The byte range a `Range` header asks of a file of `size` bytes: null to send the whole file (no
 * header, several ranges, or a header that is not a valid single byte range, which a server may
 * ignore), 'unsatisfiable' when it lies outside the file.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? Infinity : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}
