import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { UploadedFile, UploadedPart } from '../../api/files.js';
import { TooLargeError, type BlobStore, type StagedBlob } from '../store/blobs.js';
import { writeFileDurably } from '../store/fs-blob-store.js';
import { assertPrivilege, privilegeOn, PRIVILEGES, type Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, notFound, ServiceError } from './errors.js';
import { resolveRepo } from './repos.js';
import { verifyUploadSignature, type UploadSignature } from './upload-signing.js';
import { assertUploadLive, assertUploadTakesBytes, uploadInRepo, type UploadRow } from './uploads.js';

/** Most parts one `put_parts` upload may have (as S3 allows). */
export const MAX_PARTS = 10000;

// Per blob store (one per running service): uploads whose bytes are arriving in this process, so
// the expiry task leaves them be, and one lock per blob address so that committing a blob and
// collecting it as garbage never interleave.
const active = new WeakMap<BlobStore, Set<string>>();
const locks = new WeakMap<BlobStore, Map<string, Promise<void>>>();

/** Uploads receiving bytes in this process right now. */
export function receivingNow(ctx: ServiceContext): ReadonlySet<string> {
  return active.get(ctx.blobs) ?? new Set();
}

function markReceiving(ctx: ServiceContext, id: string): () => void {
  let set = active.get(ctx.blobs);
  if (!set) active.set(ctx.blobs, (set = new Set()));
  set.add(id);
  return () => set.delete(id);
}

/** Runs `fn` holding this process's lock on one blob address. */
export async function withBlobLock<T>(ctx: ServiceContext, sha256: string, fn: () => Promise<T>): Promise<T> {
  let map = locks.get(ctx.blobs);
  if (!map) locks.set(ctx.blobs, (map = new Map()));
  const previous = map.get(sha256) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  map.set(sha256, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (map.get(sha256) === tail) map.delete(sha256);
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
  const upload = await ctx.db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', identifier)
    .executeTakeFirst();
  if (!upload) throw notFound(`Upload '${identifier}'`);
  if (presented && !signatureError) return upload;
  const repo = await ctx.db
    .selectFrom('repos')
    .select(['id', 'org_id', 'repository_type'])
    .where('id', '=', upload.repo_id)
    .executeTakeFirstOrThrow();
  const privilege = await privilegeOn(ctx.db, actor.principal, repo);
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
async function verifyDeclared(upload: UploadRow, staged: StagedBlob): Promise<void> {
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
 * Commits verified bytes and records the upload as complete in one transaction with its blob row.
 * Returns false when the upload left the `receiving` state meanwhile (aborted or expired).
 */
async function finishUpload(ctx: ServiceContext, upload: UploadRow, staged: StagedBlob): Promise<boolean> {
  return withBlobLock(ctx, staged.sha256, async () => {
    await staged.commit();
    const now = ctx.clock();
    // A finished upload gets a full TTL for the package to be created from it.
    const renewed = new Date(now.getTime() + ctx.config.limits.uploadTtlSeconds * 1000).toISOString();
    return ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('blobs')
        .values({
          sha256: staged.sha256,
          size: staged.size,
          md5: staged.md5,
          sha1: staged.sha1,
          sha512: staged.sha512,
          created_at: now.toISOString(),
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
      const done = await trx
        .updateTable('uploads')
        .set({
          state: 'complete',
          blob_sha256: staged.sha256,
          size: staged.size,
          expires_at: upload.expires_at > renewed ? upload.expires_at : renewed,
        })
        .where('id', '=', upload.id)
        .where('state', '=', 'receiving')
        .executeTakeFirst();
      return done.numUpdatedRows === 1n;
    });
  });
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
  const now = ctx.clock().toISOString();
  const claimed = await ctx.db
    .updateTable('uploads')
    .set({ state: 'receiving' })
    .where('id', '=', upload.id)
    .where('state', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (claimed.numUpdatedRows !== 1n) {
    assertUploadTakesBytes(await reload(ctx, upload.id), ctx.clock());
    // Released between the claim and the reload: one more try settles it.
    throw new ServiceError(
      'conflict',
      `Upload '${upload.id}' changed state meanwhile; send the bytes again.`,
    );
  }
  const release = markReceiving(ctx, upload.id);
  try {
    let staged: StagedBlob;
    try {
      staged = await ctx.blobs.stage(use.body, limit);
      await verifyDeclared(upload, staged);
    } catch (err) {
      await ctx.db
        .updateTable('uploads')
        .set({ state: 'pending' })
        .where('id', '=', upload.id)
        .where('state', '=', 'receiving')
        .execute();
      throw translateStreamError(err, limit);
    }
    if (!(await finishUpload(ctx, upload, staged))) throw expiredMeanwhile(upload.id);
    ctx.log.info({ upload: upload.id, size: staged.size, sha256: staged.sha256 }, 'upload received');
    return uploadedFile(upload.id, staged);
  } finally {
    release();
  }
}

async function reload(ctx: ServiceContext, id: string): Promise<UploadRow> {
  return ctx.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
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
  const claimed = await ctx.db
    .updateTable('uploads')
    .set({ state: 'receiving' })
    .where('id', '=', upload.id)
    .where('state', 'in', ['pending', 'receiving'])
    .where('expires_at', '>', ctx.clock().toISOString())
    .executeTakeFirst();
  if (claimed.numUpdatedRows !== 1n) assertUploadLive(await reload(ctx, upload.id), ctx.clock());
  const others = await ctx.db
    .selectFrom('upload_parts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('total'))
    .where('upload_id', '=', upload.id)
    .where('part_number', '!=', use.partNumber)
    .executeTakeFirstOrThrow();
  const limit = ctx.config.limits.uploadBytes - Number(others.total);
  if (limit <= 0 || (use.declaredLength !== undefined && use.declaredLength > limit)) {
    throw tooLarge(ctx.config.limits.uploadBytes);
  }
  const release = markReceiving(ctx, upload.id);
  try {
    let size: number;
    try {
      size = await writeFileDurably(use.body, ctx.blobs.partPath(upload.id, use.partNumber), limit);
    } catch (err) {
      throw translateStreamError(err, ctx.config.limits.uploadBytes);
    }
    const now = ctx.clock().toISOString();
    await ctx.db
      .insertInto('upload_parts')
      .values({ upload_id: upload.id, part_number: use.partNumber, size, created_at: now })
      .onConflict((oc) => oc.columns(['upload_id', 'part_number']).doUpdateSet({ size, created_at: now }))
      .execute();
    if ((await reload(ctx, upload.id)).state !== 'receiving') {
      // Aborted while the part arrived: its removal of the parts may have run before this write.
      await ctx.blobs.removeParts(upload.id);
      throw expiredMeanwhile(upload.id);
    }
    return { identifier: upload.id, part_number: use.partNumber, size };
  } finally {
    release();
  }
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
  const parts = await ctx.db
    .selectFrom('upload_parts')
    .select(['part_number', 'size'])
    .where('upload_id', '=', upload.id)
    .orderBy('part_number')
    .execute();
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
  if (parts.reduce((n, p) => n + Number(p.size), 0) > limit) throw tooLarge(limit);
  const release = markReceiving(ctx, upload.id);
  try {
    let staged: StagedBlob;
    try {
      staged = await ctx.blobs.stageConcat(
        parts.map((p) => fs.createReadStream(ctx.blobs.partPath(upload.id, p.part_number))),
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
    await ctx.db.deleteFrom('upload_parts').where('upload_id', '=', upload.id).execute();
    await ctx.blobs.removeParts(upload.id);
    ctx.log.info(
      { upload: upload.id, parts: parts.length, size: staged.size, sha256: staged.sha256 },
      'multipart upload completed',
    );
    return uploadedFile(upload.id, staged);
  } finally {
    release();
  }
}

async function completedResult(ctx: ServiceContext, upload: UploadRow): Promise<UploadedFile> {
  const blob = await ctx.db
    .selectFrom('blobs')
    .select(['sha256', 'md5', 'size'])
    .where('sha256', '=', upload.blob_sha256!)
    .executeTakeFirstOrThrow();
  return uploadedFile(upload.id, { ...blob, size: Number(blob.size) });
}
