import type { Readable } from 'node:stream';
import type { UploadedFile, UploadedPart } from '../../api/files.js';
import { TooLargeError, type StagedBlob } from '../store/blobs.js';
import { leaseOwner, markReceiving, withBlobLock, type LeaseScope } from '../store/upload-leases.js';
import * as store from '../store/uploads.js';
import { assertPrivilege, privilegeOn, PRIVILEGES, type Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, notFound, ServiceError } from './errors.js';
import { resolveRepo } from './repos.js';
import { verifyUploadSignature, type UploadSignature } from './upload-signing.js';
import { assertUploadLive, assertUploadTakesBytes, uploadInRepo, type UploadRow } from './uploads.js';

/** Most parts one `put_parts` upload may have (as S3 allows). */
export const MAX_PARTS = 10000;

/** The leases of this service: its database, clock and the owner name of its blob store. */
export function leaseScope(ctx: ServiceContext): LeaseScope {
  return { db: ctx, clock: ctx.clock, owner: leaseOwner(ctx.blobs) };
}

/**
 * Marks the upload as receiving bytes in this request (a lease in the database, so the expiry
 * task of every process leaves it alone), runs `fn`, and releases the mark.
 */
async function whileReceiving<T>(ctx: ServiceContext, uploadId: string, fn: () => Promise<T>): Promise<T> {
  const receipt = await markReceiving(leaseScope(ctx), uploadId);
  try {
    return await fn();
  } finally {
    // An unreleased mark only delays expiry until its lease ends: never worth failing the request.
    await receipt
      .release()
      .catch((err: unknown) => ctx.log.warn({ err, upload: uploadId }, 'receipt not released'));
  }
}

/** What a request to the upload URL presents: the URL's signature (if any) and its body. */
export interface UploadUse {
  identifier: string;
  credentials: Partial<UploadSignature>;
  body: Readable;
  /** The Content-Length the client declared, when it did. */
  declaredLength?: number;
}

/**
 * Checks that a request may send bytes to an upload: a valid signature, or an API key with
 * Write on the upload's repository (the official CLI sends its parts with its key).
 */
async function authorizeUse(
  ctx: ServiceContext,
  actor: Actor,
  identifier: string,
  credentials: Partial<UploadSignature>,
): Promise<UploadRow> {
  let signatureError: unknown = null;
  const presented = credentials.signature !== undefined || credentials.expires !== undefined;
  if (presented) {
    try {
      verifyUploadSignature(ctx.secret, identifier, credentials, ctx.clock());
    } catch (err) {
      signatureError = err;
    }
  }
  if (!actor.principal && (signatureError || !presented)) {
    throw (
      signatureError ??
      new ServiceError(
        'not_authenticated',
        'This upload URL needs its signature (expires, signature) or an API key with Write on the repository.',
      )
    );
  }
  const upload = await store.findUpload(ctx, identifier);
  if (!upload) throw notFound(`Upload '${identifier}'`);
  if (presented && !signatureError) return upload;
  const repo = await store.uploadRepo(ctx, upload.repo_id);
  const privilege = await privilegeOn(ctx, actor.principal, repo);
  if (privilege && PRIVILEGES.indexOf(privilege) >= PRIVILEGES.indexOf('Write')) return upload;
  if (signatureError) throw signatureError;
  assertPrivilege(actor, privilege, 'Write');
  return upload;
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError(
    'payload_too_large',
    `The upload is larger than this server accepts (${limit} bytes); nothing was stored.`,
  );
}

function translateStreamError(err: unknown, limit: number): unknown {
  return err instanceof TooLargeError ? tooLarge(limit) : err;
}

/** Throws `checksum_mismatch` (after discarding the bytes) unless they match what was declared. */
export async function verifyDeclared(
  upload: Pick<UploadRow, 'declared_sha256' | 'declared_md5'>,
  staged: StagedBlob,
): Promise<void> {
  const checks: [string, string | null, string, string][] = [
    ['sha256_checksum', upload.declared_sha256, staged.sha256, 'SHA-256'],
    ['md5_checksum', upload.declared_md5, staged.md5, 'MD5'],
  ];
  for (const [field, declared, actual, name] of checks) {
    if (declared && declared !== actual) {
      await staged.discard();
      throw new ServiceError(
        'checksum_mismatch',
        `The bytes received have ${name} ${actual}, but ${field} declared ${declared}; nothing was stored.`,
        { [field]: [`Does not match the ${name} of the bytes received (${actual}).`] },
      );
    }
  }
}

/**
 * Commits verified bytes and records the upload as complete in one transaction with its blob row,
 * holding the blob address's lock so that garbage collection (of any process) cannot remove the
 * blob between the copy and the row. Returns false when the upload left the `receiving` state
 * meanwhile (aborted or expired).
 */
async function finishUpload(ctx: ServiceContext, upload: UploadRow, staged: StagedBlob): Promise<boolean> {
  return withBlobLock(leaseScope(ctx), staged.sha256, async (stillHeld) => {
    try {
      await staged.commit();
    } catch (err) {
      // Staged bytes that could not be committed are of no further use.
      await staged.discard().catch(() => undefined);
      throw err;
    }
    // The lock outlived a stall (its lease expired and another process took it): the blob just
    // copied may be collected, so this upload must not point at it.
    if (!(await stillHeld())) throw lockLost(upload.id);
    const now = ctx.clock();
    // A finished upload gets a full TTL for the package to be created from it.
    const renewed = new Date(now.getTime() + ctx.config.limits.uploadTtlSeconds * 1000).toISOString();
    return store.completeUploadWithBlob(ctx, {
      uploadId: upload.id,
      blob: staged,
      at: now,
      expiresAt: upload.expires_at > renewed ? upload.expires_at : renewed,
    });
  });
}

function lockLost(id: string): ServiceError {
  return new ServiceError(
    'conflict',
    `Upload '${id}' was interrupted while its bytes were stored; send them again.`,
  );
}

function uploadedFile(id: string, digest: { sha256: string; md5: string; size: number }): UploadedFile {
  return { identifier: id, sha256_checksum: digest.sha256, md5_checksum: digest.md5, size: digest.size };
}

function expiredMeanwhile(id: string): ServiceError {
  return new ServiceError(
    'upload_expired',
    `Upload '${id}' was aborted or expired while its bytes were arriving; request a new upload.`,
  );
}

/**
 * Receives the whole file of a `post`/`put` upload: claims the upload (pending → receiving, so a
 * URL works once), streams the bytes into the blob store while hashing, checks them against the
 * declared checksums and records the upload as complete. On failure nothing is kept and the
 * upload returns to pending.
 */
export async function receiveUpload(
  ctx: ServiceContext,
  actor: Actor,
  use: UploadUse,
): Promise<UploadedFile> {
  const upload = await authorizeUse(ctx, actor, use.identifier, use.credentials);
  if (upload.method === 'put_parts') {
    throw invalidField(
      'part_number',
      'This upload takes its bytes in parts: PUT each part with ?part_number=N, then complete it.',
    );
  }
  const limit = ctx.config.limits.uploadBytes;
  if (use.declaredLength !== undefined && use.declaredLength > limit) throw tooLarge(limit);
  // Marked before the claim, so that no process ever sees this upload `receiving` unmarked and
  // takes it for one whose sender died.
  return whileReceiving(ctx, upload.id, async () => {
    const claimed =
      (await store.moveUploadState(ctx, upload.id, ['pending'], 'receiving', ctx.clock())) ||
      (await store.takeOverAbandonedUpload(ctx, upload.id, ctx.clock()));
    if (!claimed) {
      assertUploadTakesBytes(await reload(ctx, upload.id), ctx.clock());
      // Released between the claim and the reload: one more try settles it.
      throw new ServiceError(
        'conflict',
        `Upload '${upload.id}' changed state meanwhile; send the bytes again.`,
      );
    }
    let staged: StagedBlob;
    try {
      staged = await ctx.blobs.stage(use.body, limit);
      await verifyDeclared(upload, staged);
    } catch (err) {
      await store.moveUploadState(ctx, upload.id, ['receiving'], 'pending');
      throw translateStreamError(err, limit);
    }
    if (!(await finishUpload(ctx, upload, staged))) throw expiredMeanwhile(upload.id);
    ctx.log.info({ upload: upload.id, size: staged.size, sha256: staged.sha256 }, 'upload received');
    return uploadedFile(upload.id, staged);
  });
}

async function reload(ctx: ServiceContext, id: string): Promise<UploadRow> {
  const upload = await store.findUpload(ctx, id);
  if (!upload) throw notFound(`Upload '${id}'`);
  return upload;
}

/**
 * Receives one part of a `put_parts` upload into the parts area (a retried part replaces the
 * earlier one). All parts together may not exceed the upload limit.
 */
export async function receivePart(
  ctx: ServiceContext,
  actor: Actor,
  use: UploadUse & { partNumber: number; uploadId?: string },
): Promise<UploadedPart> {
  if (use.uploadId !== undefined && use.uploadId !== use.identifier) {
    throw invalidField('upload_id', `Must be the upload's identifier '${use.identifier}'.`);
  }
  if (!Number.isInteger(use.partNumber) || use.partNumber < 1 || use.partNumber > MAX_PARTS) {
    throw invalidField('part_number', `Must be a whole number from 1 to ${MAX_PARTS}.`);
  }
  const upload = await authorizeUse(ctx, actor, use.identifier, use.credentials);
  if (upload.method !== 'put_parts') {
    throw invalidField(
      'part_number',
      `Upload '${upload.id}' was requested with method '${upload.method}': PUT the whole file without part_number.`,
    );
  }
  const claimed = await store.moveUploadState(
    ctx,
    upload.id,
    ['pending', 'receiving'],
    'receiving',
    ctx.clock(),
  );
  if (!claimed) assertUploadLive(await reload(ctx, upload.id), ctx.clock());
  const limit = ctx.config.limits.uploadBytes - (await store.otherPartsSize(ctx, upload.id, use.partNumber));
  if (limit <= 0 || (use.declaredLength !== undefined && use.declaredLength > limit)) {
    throw tooLarge(ctx.config.limits.uploadBytes);
  }
  return whileReceiving(ctx, upload.id, async () => {
    let size: number;
    try {
      size = await ctx.blobs.stagePart(upload.id, use.partNumber, use.body, limit);
    } catch (err) {
      throw translateStreamError(err, ctx.config.limits.uploadBytes);
    }
    await store.upsertPart(ctx, {
      uploadId: upload.id,
      partNumber: use.partNumber,
      size,
      at: ctx.clock(),
    });
    if ((await reload(ctx, upload.id)).state !== 'receiving') {
      // Aborted while the part arrived: its removal of the parts may have run before this write.
      await ctx.blobs.removeParts(upload.id);
      throw expiredMeanwhile(upload.id);
    }
    return { identifier: upload.id, part_number: use.partNumber, size };
  });
}

/**
 * `POST /files/{owner}/{repo}/{identifier}/complete/`: joins the parts in order into one blob,
 * checks it against the declared checksums and completes the upload. Completing a completed
 * upload again answers the same result.
 */
export async function completeUpload(
  ctx: ServiceContext,
  actor: Actor,
  args: { owner: string; repo: string; identifier: string; uploadId?: string; complete?: boolean },
): Promise<UploadedFile> {
  const access = await resolveRepo(ctx, actor, args.owner, args.repo, 'Write');
  if (args.uploadId !== undefined && args.uploadId !== args.identifier) {
    throw invalidField('upload_id', `Must be the upload's identifier '${args.identifier}'.`);
  }
  if (args.complete === false) throw invalidField('complete', 'Must be true to complete the upload.');
  const upload = await uploadInRepo(ctx, access, args.identifier);
  if (upload.state === 'complete' && upload.blob_sha256) return completedResult(ctx, upload);
  assertUploadLive(upload, ctx.clock());
  const parts = await store.listParts(ctx, upload.id);
  const gap = parts.findIndex((p, i) => p.part_number !== i + 1);
  if (parts.length === 0 || gap >= 0) {
    throw new ServiceError(
      'upload_not_ready',
      parts.length === 0
        ? `Upload '${upload.id}' has no parts yet: PUT them to its upload_url with ?part_number=N first.`
        : `Upload '${upload.id}' is missing part ${gap + 1}; parts received: ${parts.map((p) => p.part_number).join(', ')}.`,
    );
  }
  const limit = ctx.config.limits.uploadBytes;
  if (parts.reduce((n, p) => n + p.size, 0) > limit) throw tooLarge(limit);
  return whileReceiving(ctx, upload.id, async () => {
    let staged: StagedBlob;
    try {
      staged = await ctx.blobs.concatParts(
        upload.id,
        parts.map((p) => p.part_number),
        limit,
      );
    } catch (err) {
      throw translateStreamError(err, limit);
    }
    await verifyDeclared(upload, staged);
    if (!(await finishUpload(ctx, upload, staged))) {
      const current = await reload(ctx, upload.id);
      if (current.state === 'complete' && current.blob_sha256) return completedResult(ctx, current);
      throw expiredMeanwhile(upload.id);
    }
    await store.deletePartRows(ctx, upload.id);
    await ctx.blobs.removeParts(upload.id);
    ctx.log.info(
      { upload: upload.id, parts: parts.length, size: staged.size, sha256: staged.sha256 },
      'multipart upload completed',
    );
    return uploadedFile(upload.id, staged);
  });
}

async function completedResult(ctx: ServiceContext, upload: UploadRow): Promise<UploadedFile> {
  const blob = await store.findBlob(ctx, upload.blob_sha256!);
  if (!blob) throw notFound(`The bytes of upload '${upload.id}'`);
  return uploadedFile(upload.id, blob);
}
