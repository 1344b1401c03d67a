import type { Package, PackageUploadRequest } from '../../api/packages.js';
import { blobArchiveSource } from '../formats/archive.js';
import { formatHandler, nameKeyFor, type FormatHandler, type PackageMetadata } from '../formats/index.js';
import { insertPackage, peekCompleteUpload, setScanStatus, updateLivePackage } from '../store/packages.js';
import { inGroupCommit } from '../store/group-commit.js';
import { inTransaction } from '../store/source.js';
import { queueScanInCommit, SCAN_JOB } from '../scan/service.js';
import { requirePrincipal, type Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { newId } from './ids.js';
import { AWAITING_SCAN, completedSync, PACKAGE_STATUS } from './package-status.js';
import { addTags, claimVersionTags, parseTagList } from './package-tags.js';
import { findLivePackage, repoRef } from './package-query.js';
import { packageView } from './package-view.js';
import {
  describePackage,
  duplicateError,
  emitEvents,
  findLiveVersion,
  freeSlug,
  recordPackageAudit,
  recordReplacement,
  REMOVE_PRIVILEGE,
  replacePackage,
  softDelete,
  type PackageRow,
  type PendingEvent,
} from './package-writes.js';
import { isUniqueViolation, resolveRepo, type RepoAccess } from './repos.js';
import type { Db } from '../store/db.js';
import { claimUpload } from './uploads.js';

/** A completed upload as seen before it is claimed: enough to read the file's metadata early. */
interface PeekedUpload {
  filename: string;
  sha256: string;
  size: number;
}

function readMetadata(
  ctx: ServiceContext,
  handler: FormatHandler,
  file: PeekedUpload,
  body: PackageUploadRequest,
): Promise<PackageMetadata> {
  return handler.readMetadata(
    { filename: file.filename, source: blobArchiveSource(ctx.blobs, file.sha256, file.size) },
    body,
  );
}

/**
 * `POST /packages/{owner}/{repo}/validate-upload/{format}/`: the checks of a create request
 * that need no file (Write, a known format, valid fields). `package_file` may still be the
 * client's local path here.
 */
export async function validatePackageUpload(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  format: string,
  body: PackageUploadRequest,
): Promise<void> {
  await resolveRepo(ctx, actor, owner, repoSlug, 'Write');
  formatHandler(format).checkRequest(body);
  parseTagList(body.tags);
}

/** What a native endpoint adds to a create: a check of the file's metadata before anything is written. */
export interface CreateOptions {
  /** Throws (a ServiceError) to refuse the file once its metadata is known. */
  checkMetadata?: (meta: PackageMetadata, filename: string) => void;
}

/**
 * `POST /packages/{owner}/{repo}/upload/{format}/` (Write): reads the metadata from the uploaded
 * file, then in one transaction claims the upload, replaces a live package of the same version
 * when `republish` is set (409 `duplicate_package` otherwise; replacing needs what deleting
 * needs and is refused for a quarantined or immutably tagged package, see `replacePackage`), and
 * creates the package, already fully synchronised. Any failure leaves the upload unclaimed and no
 * package behind.
 */
export async function createPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  format: string,
  body: PackageUploadRequest,
  options: CreateOptions = {},
): Promise<Package> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Write');
  requirePrincipal(actor);
  const handler = formatHandler(format);
  handler.checkRequest(body);
  const infoTags = parseTagList(body.tags);
  const repo = repoRef(access);

  // Reading the file's metadata (which may mean walking an archive) happens outside the write
  // transaction; claimUpload below stays the authority on whether the upload may be used.
  const peeked = (await peekCompleteUpload(ctx, access.repo.id, body.package_file)) ?? null;
  let metadata = peeked ? await readMetadata(ctx, handler, peeked, body) : null;

  const at = ctx.clock();
  const id = newId();
  const events: PendingEvent[] = [];
  let draft: Pick<PackageRow, 'format' | 'name' | 'version'> | null = null;
  try {
    // A group commit, as a native publish is: the package, its events and its scan job survive a
    // crash of the service once answered (docs/storage.md says what a crash of the machine may lose).
    await inGroupCommit(ctx, async (trx) => {
      const upload = await claimUpload(trx, { repoId: access.repo.id, identifier: body.package_file, at });
      if (!metadata || peeked?.sha256 !== upload.blob.sha256) {
        metadata = await readMetadata(
          ctx,
          handler,
          { filename: upload.filename, sha256: upload.blob.sha256, size: upload.blob.size },
          body,
        );
      }
      const meta: PackageMetadata = metadata;
      options.checkMetadata?.(meta, upload.filename);
      await writeNewPackage(trx, {
        actor,
        access,
        handler,
        meta,
        upload,
        body,
        infoTags,
        id,
        at,
        events,
        onDraft: (row) => (draft = row),
      });
      await queueScanInCommit(trx, id, at);
    });
  } catch (err) {
    // Two creates of one version racing past the check: the partial unique index decides.
    if (isUniqueViolation(err) && draft) throw duplicateError(draft, repo.path);
    throw err;
  }
  ctx.log.info({ packageId: id, repo: repo.path, format: handler.format }, 'package created');
  await emitEvents(ctx, [
    ...events,
    { event: 'package.created', packageId: id, done: { jobsQueued: [SCAN_JOB] } },
    { event: 'package.synced', packageId: id },
  ]);
  return packageView(ctx, id);
}

/** A package about to be written: who, where, what file and what its metadata says. */
export interface NewPackage {
  actor: Actor;
  access: RepoAccess;
  handler: FormatHandler;
  meta: PackageMetadata;
  /** The upload the file came in (claimed, or recorded in the same transaction). */
  upload: { id: string; filename: string; blob: { sha256: string; size: number } };
  body: PackageUploadRequest;
  infoTags: string[];
  id: string;
  at: Date;
  /** Receives the events to announce once the transaction has committed. */
  events: PendingEvent[];
  /** Hears the row before it is written (to name the version when a unique index refuses it). */
  onDraft?: (row: PackageRow) => void;
}

/**
 * Writes a new package in the caller's transaction: replaces a live package of the same version
 * when `republish` is set (409 `duplicate_package` otherwise), inserts the row with a free slug,
 * its info tags and its npm dist-tag, and records the audit events.
 */
export async function writeNewPackage(trx: Db, args: NewPackage): Promise<PackageRow> {
  const { actor, access, handler, meta, upload, body, infoTags, id, at, events } = args;
  const principal = requirePrincipal(actor);
  const repo = repoRef(access);
  const now = at.toISOString();
  const row: PackageRow = {
    id,
    org_id: access.org.id,
    repo_id: access.repo.id,
    origin_repo_id: access.repo.id,
    format: handler.format,
    name: meta.name,
    name_key: nameKeyFor(handler.format, meta.name),
    version: meta.version,
    slug: '',
    filename: upload.filename,
    blob_sha256: upload.blob.sha256,
    size: upload.blob.size,
    summary: meta.summary,
    description: meta.description,
    license: meta.license,
    metadata: {
      ...meta.extra,
      version_orig: meta.versionOrig,
      spdx_license: meta.spdxLicense,
      package_type: meta.packageType,
    },
    ...completedSync(now),
    is_quarantined: 0,
    policy_violated: 0,
    security_scan_status: AWAITING_SCAN,
    security_scan_started_at: null,
    security_scan_completed_at: null,
    uploaded_at: now,
    uploader_id: principal.serviceId,
    uploader: principal.serviceSlug,
    identity: principal.identity ?? null,
    deleted_at: null,
  };
  args.onDraft?.(row);
  const existing = await findLiveVersion(trx, access.repo.id, row);
  if (existing) {
    if (!body.republish) throw duplicateError(row, repo.path, existing);
    events.push(await replacePackage(trx, actor, at, access.privilege, existing, repo, id, 'uploaded again'));
  }
  row.slug = await freeSlug(trx, access.repo.id, row.name, row.version);
  await insertPackage(trx, row);
  await addTags(trx, id, infoTags, 'info', false);
  const distTag = meta.extra.npm_dist_tag;
  if (typeof distTag === 'string')
    events.push(...(await claimVersionTags(trx, actor, at, row, repo, [distTag])));
  await recordPackageAudit(trx, actor, at, row, repo, 'package.created', 'create', {
    summary: `created from upload ${upload.id} (${upload.filename})`,
    upload: upload.id,
    filename: upload.filename,
    sha256: upload.blob.sha256,
    republished: existing?.id ?? null,
  });
  if (existing) await recordReplacement(trx, actor, at, row, repo, existing);
  return row;
}

/**
 * `DELETE /packages/{owner}/{repo}/{identifier}/` (Admin, {@link REMOVE_PRIVILEGE}, which a
 * replacing `republish` needs too): soft-deletes the package.
 */
export async function deletePackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
): Promise<void> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, REMOVE_PRIVILEGE);
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  const at = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    if (!(await softDelete(trx, pkg.id, at.toISOString()))) {
      throw new ServiceError('conflict', `The ${describePackage(pkg)} was deleted or moved meanwhile.`);
    }
    await recordPackageAudit(trx, actor, at, pkg, repoRef(access), 'package.deleted', 'delete', {
      summary: 'deleted',
    });
  });
  await emitEvents(ctx, [{ event: 'package.deleted', packageId: pkg.id }]);
}

/**
 * `POST …/{identifier}/resync/` (Admin): synchronises the package again. Sync completes inside
 * the request, so the package comes back fully synchronised (still quarantined if it was).
 */
export async function resyncPackage(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
): Promise<Package> {
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Admin');
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  const at = ctx.clock();
  const sync = completedSync(at.toISOString());
  await inTransaction(ctx, async (trx) => {
    const synced = await updateLivePackage(
      trx,
      { id: pkg.id, repoId: access.repo.id },
      { ...sync, status: pkg.is_quarantined === 1 ? PACKAGE_STATUS.quarantined : sync.status },
    );
    if (!synced) {
      throw new ServiceError('conflict', `The ${describePackage(pkg)} was deleted or moved meanwhile.`);
    }
    await recordPackageAudit(trx, actor, at, pkg, repoRef(access), 'package.resynced', 'action', {
      summary: 'resynchronised',
    });
  });
  await emitEvents(ctx, [{ event: 'package.synced', packageId: pkg.id }]);
  return packageView(ctx, pkg.id);
}

/**
 * `POST …/{identifier}/scan/` (Read, as Cloudsmith's default `scan_packages` privilege): marks the
 * package as awaiting a security scan, which the scanner picks up.
 */
export async function requestPackageScan(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repoSlug: string,
  identifier: string,
): Promise<Package> {
  // Read is enough to ask for a scan (Cloudsmith's default), but never anonymously, even on a
  // Public repository: a scan changes the package's state.
  requirePrincipal(actor);
  const access = await resolveRepo(ctx, actor, owner, repoSlug, 'Read');
  const pkg = await findLivePackage(ctx, access.repo.id, identifier, `${owner}/${repoSlug}`);
  const at = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    await setScanStatus(trx, pkg.id, AWAITING_SCAN);
    await recordPackageAudit(trx, actor, at, pkg, repoRef(access), 'package.scan_requested', 'action', {
      summary: 'security scan requested',
      previous_status: pkg.security_scan_status,
    });
  });
  return packageView(ctx, pkg.id);
}
