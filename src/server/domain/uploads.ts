import type { FileInfo, FileUpload, UploadMethod } from '../../api/files.js';
import { escapeControls, textProblem } from '../../api/text.js';
import { filenameProblem } from '../store/safe-path.js';
import type { DbSource } from '../store/source.js';
import * as store from '../store/uploads.js';
import { requirePrincipal, type Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { invalidField, notFound, ServiceError } from './errors.js';
import { resolveRepo, type RepoAccess } from './repos.js';
import { newId } from './ids.js';
import { signedUploadUrl, signUpload } from './upload-signing.js';

/** An upload row. */
export type UploadRow = store.UploadRow;

/** The upload request fields the service checks (`filename` and any declared checksums). */
export interface UploadRequestFields {
  filename: string;
  sha256_checksum?: string | null;
  md5_checksum?: string | null;
}

function checkedChecksum(field: string, value: string | null | undefined, hexLength: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(value)) {
    throw invalidField(
      field,
      `Must be ${hexLength} hexadecimal digits, got '${escapeControls(value.slice(0, 80))}'.`,
    );
  }
  return value.toLowerCase();
}

/** Checks an upload request's file name and declared checksums; returns the checksums in lower case. */
export function checkedFields(body: UploadRequestFields): { sha256: string | null; md5: string | null } {
  const unprintable = textProblem(body.filename, 'identifier');
  if (unprintable) throw invalidField('filename', `Invalid file name: it ${unprintable}`);
  const problem = filenameProblem(body.filename);
  if (problem)
    throw invalidField('filename', `Invalid file name '${body.filename.slice(0, 80)}': ${problem}.`);
  return {
    sha256: checkedChecksum('sha256_checksum', body.sha256_checksum, 64),
    md5: checkedChecksum('md5_checksum', body.md5_checksum, 32),
  };
}

/** `POST /files/{owner}/{repo}/validate/`: the checks of an upload request, without making one. */
export async function validateUploadRequest(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  body: UploadRequestFields,
): Promise<void> {
  await resolveRepo(ctx, actor, owner, repo, 'Write');
  checkedFields(body);
}

/** The URL, form fields and headers a client uses to send the bytes of `upload`. */
function describeUpload(ctx: ServiceContext, upload: UploadRow): FileUpload {
  const expiresAt = new Date(upload.expires_at);
  if (upload.method === 'unsigned_put') {
    // Sent with the caller's API key instead of a signature.
    return {
      identifier: upload.id,
      upload_url: `${ctx.baseUrl}/uploads/${upload.id}`,
      upload_fields: {},
      upload_headers: { 'Content-Type': 'application/octet-stream' },
      upload_querystring: null,
    };
  }
  const signed = signedUploadUrl(ctx.baseUrl, ctx.secret, upload.id, expiresAt);
  const post = upload.method === 'post';
  return {
    identifier: upload.id,
    upload_url: signed.url,
    // A key-less form POST is authorised by the URL; the fields repeat it, as S3 presigned posts do.
    upload_fields: post ? { ...signUpload(ctx.secret, upload.id, expiresAt) } : {},
    upload_headers: post ? {} : { 'Content-Type': 'application/octet-stream' },
    upload_querystring: signed.querystring,
  };
}

/**
 * `POST /files/{owner}/{repo}/`: records a pending upload (Write needed) and returns its signed,
 * short-lived upload URL.
 */
export async function requestUpload(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
  body: UploadRequestFields & { method?: UploadMethod },
): Promise<FileUpload> {
  const { repo: target } = await resolveRepo(ctx, actor, owner, repo, 'Write');
  const principal = requirePrincipal(actor);
  const declared = checkedFields(body);
  const now = ctx.clock();
  const row: UploadRow = {
    id: newId(),
    org_id: target.org_id,
    repo_id: target.id,
    filename: body.filename,
    method: body.method ?? 'post',
    declared_sha256: declared.sha256,
    declared_md5: declared.md5,
    state: 'pending',
    blob_sha256: null,
    size: null,
    created_by: principal.serviceId,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + ctx.config.limits.uploadTtlSeconds * 1000).toISOString(),
  };
  await store.insertUpload(ctx, row);
  return describeUpload(ctx, row);
}

/** Loads an upload of a repository; 404 when the repository has no such upload. */
export async function uploadInRepo(
  ctx: ServiceContext,
  access: RepoAccess,
  identifier: string,
): Promise<UploadRow> {
  const upload = await store.findUploadInRepo(ctx, access.repo.id, identifier);
  if (!upload) throw notFound(`Upload '${identifier}' in ${access.org.slug}/${access.repo.slug}`);
  return upload;
}

/** `GET /files/{owner}/{repo}/{identifier}/info/`: where to send (a part of) a live upload. */
export async function uploadInfo(
  ctx: ServiceContext,
  actor: Actor,
  args: { owner: string; repo: string; identifier: string; partNumber?: number },
): Promise<FileInfo> {
  const repo = await resolveRepo(ctx, actor, args.owner, args.repo, 'Write');
  const upload = await uploadInRepo(ctx, repo, args.identifier);
  const now = ctx.clock();
  const senderAlive =
    upload.state === 'receiving' && (await store.uploadsReceiving(ctx, [upload.id], now)).size > 0;
  assertUploadTakesBytes(upload, now, senderAlive);
  const described = describeUpload(ctx, upload);
  if (args.partNumber === undefined) {
    return {
      identifier: upload.id,
      upload_url: described.upload_url,
      upload_querystring: described.upload_querystring,
    };
  }
  const query = new URLSearchParams(described.upload_querystring ?? '');
  query.set('upload_id', upload.id);
  query.set('part_number', String(args.partNumber));
  return {
    identifier: upload.id,
    upload_url: `${ctx.baseUrl}/uploads/${upload.id}?${query.toString()}`,
    upload_querystring: query.toString(),
  };
}

/**
 * What a PUT of the whole file would meet right now, so that `…/info/` and the upload URL always
 * agree: `upload_expired` (410) unless the upload is live, and `conflict` (409) while another
 * request is sending a whole-file upload its bytes (a multipart upload takes its parts in any
 * number of requests). A receipt cut off by a crash does not hold the upload: once the dead
 * sender's lease ends (at once when the service restarts on its own data directory) the upload
 * takes bytes again. `senderAlive` says whether a live receipt exists; callers that did not look
 * assume it does.
 */
export function assertUploadTakesBytes(upload: UploadRow, now: Date, senderAlive = true): void {
  assertUploadLive(upload, now);
  if (upload.state === 'receiving' && upload.method !== 'put_parts' && senderAlive) {
    throw new ServiceError(
      'conflict',
      `Upload '${upload.id}' is receiving its bytes in another request; if that one fails, send them again.`,
    );
  }
}

/** Throws `upload_expired` unless the upload can still take bytes. */
export function assertUploadLive(upload: UploadRow, now: Date): void {
  if (upload.state === 'consumed' || upload.state === 'aborted' || upload.state === 'complete') {
    throw new ServiceError(
      'upload_expired',
      `Upload '${upload.id}' is ${upload.state === 'complete' ? 'already complete' : upload.state}; request a new upload.`,
    );
  }
  if (upload.expires_at <= now.toISOString()) {
    throw new ServiceError(
      'upload_expired',
      `Upload '${upload.id}' expired at ${upload.expires_at}; request a new upload.`,
    );
  }
}

/** `POST /files/{owner}/{repo}/{identifier}/abort/`: discards an unconsumed upload and its parts. */
export async function abortUpload(
  ctx: ServiceContext,
  actor: Actor,
  args: { owner: string; repo: string; identifier: string },
): Promise<void> {
  const repo = await resolveRepo(ctx, actor, args.owner, args.repo, 'Write');
  const upload = await uploadInRepo(ctx, repo, args.identifier);
  if (upload.state === 'consumed') {
    throw new ServiceError(
      'upload_expired',
      `Upload '${upload.id}' was already used to create a package and cannot be aborted.`,
    );
  }
  const aborted = await store.moveUploadState(
    ctx,
    upload.id,
    ['pending', 'receiving', 'complete'],
    'aborted',
  );
  if (!aborted && upload.state !== 'aborted') {
    throw new ServiceError('upload_expired', `Upload '${upload.id}' was used or aborted meanwhile.`);
  }
  await store.deletePartRows(ctx, upload.id);
  await ctx.blobs.removeParts(upload.id);
}

/** Takes a completed upload for package creation inside the caller's transaction: checks it belongs to the repo, is complete and unexpired, and marks it consumed. */
export async function claimUpload(
  trx: DbSource,
  args: { repoId: string; identifier: string; at: Date },
): Promise<{
  id: string;
  filename: string;
  blob: { sha256: string; size: number; md5: string; sha1: string; sha512: string | null };
}> {
  const upload = await store.findUploadWithBlob(trx, args.repoId, args.identifier);
  if (!upload) {
    throw invalidField('package_file', `No upload with identifier ${args.identifier} in this repository.`);
  }
  const at = args.at.toISOString();
  if (upload.state === 'pending' || upload.state === 'receiving') {
    throw new ServiceError(
      'upload_not_ready',
      `Upload '${upload.id}' has not received its bytes yet (send them to its upload_url, or complete its parts).`,
      { package_file: ['The upload is not complete.'] },
    );
  }
  if (upload.state !== 'complete' || upload.expires_at <= at || !upload.sha256) {
    const why = upload.state === 'complete' ? `expired at ${upload.expires_at}` : `was ${upload.state}`;
    throw new ServiceError('upload_expired', `Upload '${upload.id}' ${why}; upload the file again.`, {
      package_file: [`The upload ${why}.`],
    });
  }
  if (!(await store.moveUploadState(trx, upload.id, ['complete'], 'consumed', args.at))) {
    throw new ServiceError(
      'upload_expired',
      `Upload '${upload.id}' was used by another request meanwhile; upload the file again.`,
      { package_file: ['The upload was already used.'] },
    );
  }
  return {
    id: upload.id,
    filename: upload.filename,
    blob: {
      sha256: upload.sha256,
      size: Number(upload.size),
      md5: upload.md5!,
      sha1: upload.sha1!,
      sha512: upload.sha512 ?? null,
    },
  };
}
