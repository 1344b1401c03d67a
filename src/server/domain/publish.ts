/**
 * A file and its package in one step, for the native clients' publish requests (`npm publish`,
 * `twine upload`), whose single request carries both the bytes and the wish to make a package of
 * them. The bytes are staged and made durable (file and directory synced) before anything says
 * they are stored; every row — the blob, the upload it came in, the package, its tags, its audit
 * events and its scan job — is then written in one transaction committed as a group commit,
 * which shares its sync to the disk with the commits around it.
 */

import { Readable } from 'node:stream';
import type { PackageUploadRequest } from '../../api/packages.js';
import { blobArchiveSource, bufferArchiveSource } from '../formats/archive.js';
import { formatHandler, type PackageMetadata } from '../formats/index.js';
import { queueScanInCommit, SCAN_JOB } from '../scan/service.js';
import { TooLargeError, type StagedBlob } from '../store/blobs.js';
import type { Db } from '../store/db.js';
import { inGroupCommit } from '../store/group-commit.js';
import {
  blobAddressUnused,
  DEFAULT_LEASE_TIMING,
  tryLockBlob,
  type HeldLease,
} from '../store/upload-leases.js';
import { insertBlobRow, insertUpload } from '../store/uploads.js';
import { requirePrincipal, type Actor } from './access.js';
import type { ServiceContext } from './context.js';
import { ServiceError } from './errors.js';
import { newId } from './ids.js';
import { parseTagList } from './package-tags.js';
import { repoRef } from './package-query.js';
import { duplicateError, emitEvents, type PackageRow, type PendingEvent } from './package-writes.js';
import { writeNewPackage } from './packages.js';
import { isUniqueViolation, type RepoAccess } from './repos.js';
import { leaseScope, verifyDeclared } from './upload-receive.js';
import { checkedFields } from './uploads.js';

/** What a publish answers with: the new package's identifier and what it holds (no full view: no client reads one). */
export interface Published {
  slug_perm: string;
  filename: string;
  name: string;
  version: string;
}

/** One file to publish as a package of `format` in a repository the caller may write to. */
export interface Publication {
  access: RepoAccess;
  format: string;
  filename: string;
  body: Readable;
  /** Checksums the client declared; the bytes must match them. */
  declared: { sha256?: string | null; md5?: string | null };
  /** The create request's fields (`package_file` is not read). */
  request: PackageUploadRequest;
  /** The file's metadata when the caller read it already (from bytes in memory). */
  metadata?: PackageMetadata;
  /** Throws (a ServiceError) to refuse the file once its metadata is known. */
  checkMetadata?: (meta: PackageMetadata, filename: string) => void;
}

/**
 * Files up to this size are also kept in memory while they stream to the disk, so that their
 * metadata is read from memory, before the bytes are committed, instead of from the committed
 * blob. Larger files (rare: wheels and tarballs are mostly far smaller) are read from the blob.
 */
export const KEEP_IN_MEMORY_BYTES = 16 * 1024 * 1024;

/** How old the blob's lease may get before the commit confirms (and extends) it. */
const LEASE_CONFIRM_AFTER_MS = DEFAULT_LEASE_TIMING.leaseMs / 2;

function tooLarge(limit: number): ServiceError {
  return new ServiceError(
    'payload_too_large',
    `The upload is larger than this server accepts (${limit} bytes); nothing was stored.`,
  );
}

function lockLost(filename: string): ServiceError {
  return new ServiceError(
    'conflict',
    `The bytes of '${filename}' were interrupted while they were stored; send them again.`,
  );
}

/** The chunks of a body as they pass, while they total no more than {@link KEEP_IN_MEMORY_BYTES}. */
class KeptBytes {
  private chunks: Buffer[] | null = [];
  private size = 0;

  /** Wraps `body`: what the stream yields is unchanged, and kept on the way while it fits. */
  passing(body: Readable): Readable {
    const keep = (chunk: Buffer): void => {
      if (!this.chunks) return;
      this.size += chunk.length;
      if (this.size > KEEP_IN_MEMORY_BYTES) this.chunks = null;
      else this.chunks.push(chunk);
    };
    async function* through(): AsyncGenerator<Buffer> {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        keep(chunk);
        yield chunk;
      }
    }
    return Readable.from(through(), { objectMode: false });
  }

  /** The whole body, or null when it was larger than the bound. */
  bytes(): Buffer | null {
    return this.chunks ? Buffer.concat(this.chunks, this.size) : null;
  }
}

/** Stages the bytes (synced) and checks them against the declared checksums. */
async function stageChecked(ctx: ServiceContext, publication: Publication): Promise<StagedBlob> {
  const limit = ctx.config.limits.uploadBytes;
  let staged: StagedBlob;
  try {
    staged = await ctx.blobs.stage(publication.body, limit);
  } catch (err) {
    throw err instanceof TooLargeError ? tooLarge(limit) : err;
  }
  await verifyDeclared(
    {
      declared_sha256: publication.declared.sha256 ?? null,
      declared_md5: publication.declared.md5 ?? null,
    },
    staged,
  );
  return staged;
}

/**
 * Takes the blob address's lock (waiting while another holds it), so that garbage collection
 * cannot remove the bytes between their commit and the rows that refer to them. The lock's row
 * is a group commit of its own: it guards running processes only, and a crash frees it anyway.
 */
async function lockBlob(ctx: ServiceContext, sha256: string): Promise<{ lock: HeldLease; at: number }> {
  const scope = leaseScope(ctx);
  const pollMs = scope.timing?.pollMs ?? DEFAULT_LEASE_TIMING.pollMs;
  for (;;) {
    // Read before the lease is written: its expiry is no earlier than this plus its life.
    const at = ctx.clock().getTime();
    const lock = await inGroupCommit(ctx, (trx) => tryLockBlob(scope, sha256, trx));
    if (lock) return { lock, at };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** How the publish keeps garbage collection away from its bytes until its rows are committed. */
type BlobGuard =
  | { kind: 'lock'; lock: HeldLease; at: number }
  /** The address was unused at `at` (no row, no lock): see {@link blobAddressUnused}. */
  | { kind: 'unused'; at: number };

/**
 * How long after an address was found unused its rows may still be committed without the lock:
 * a blob row written by anyone after that check is younger than it, and collection leaves rows
 * alone until they are older than the upload TTL. Half of it leaves the other half for clocks of
 * different processes and for requests that stamped their rows before writing them.
 */
function unusedForMs(ctx: ServiceContext): number {
  return (ctx.config.limits.uploadTtlSeconds * 1000) / 2;
}

/**
 * Guards the bytes about to be committed: new bytes (the usual case: no blob row, no lock at the
 * address) need only that one read; bytes already known, or an address that garbage collection
 * is working on, take the address's lock (waiting while another holds it).
 */
async function guardBlob(ctx: ServiceContext, sha256: string): Promise<BlobGuard> {
  const at = ctx.clock().getTime();
  if (await blobAddressUnused(ctx, sha256)) return { kind: 'unused', at };
  return { kind: 'lock', ...(await lockBlob(ctx, sha256)) };
}

/**
 * True when a check that found the address unused is too old to stand for now (a very slow
 * publish): the lock must be taken after all, and the bytes looked for again, since collection
 * could have removed them meanwhile.
 */
function guardLapsed(ctx: ServiceContext, guard: BlobGuard): boolean {
  return guard.kind === 'unused' && ctx.clock().getTime() - guard.at > unusedForMs(ctx);
}

/**
 * Publishes one file: the fields are checked, the bytes staged and checked against the declared
 * checksums, the metadata read (unless given; from memory for files up to
 * {@link KEEP_IN_MEMORY_BYTES}, else from the blob once committed) and checked, the address
 * guarded against garbage collection (one read for new bytes, the address's lock otherwise), the
 * bytes committed to it (synced), and then one group commit writes the blob row, a consumed
 * upload row, the package (see `writeNewPackage`: 409 `duplicate_package` for a version already
 * there), its audit events and its scan job, and releases the lock when one was taken. When the
 * answer is a success, every row survives a crash of the service, and a crash of the machine
 * loses at most the last moments' commits (docs/storage.md). On any failure no package exists;
 * committed bytes that nothing refers to keep a blob row, so garbage collection removes them
 * after the upload TTL.
 */
export async function publishFile(
  ctx: ServiceContext,
  actor: Actor,
  publication: Publication,
): Promise<Published> {
  const principal = requirePrincipal(actor);
  const { access, filename, request } = publication;
  const handler = formatHandler(publication.format);
  handler.checkRequest(request);
  const infoTags = parseTagList(request.tags);
  const declared = checkedFields({
    filename,
    sha256_checksum: publication.declared.sha256,
    md5_checksum: publication.declared.md5,
  });
  if (publication.metadata) publication.checkMetadata?.(publication.metadata, filename);
  const kept = publication.metadata ? null : new KeptBytes();
  const body = kept ? kept.passing(publication.body) : publication.body;
  const staged = await stageChecked(ctx, { ...publication, body, declared });
  // The metadata is read and checked before the bytes are committed, when it can be: a refused
  // file then leaves nothing behind but its staged copy, removed at once.
  let meta = publication.metadata;
  const inMemory = kept?.bytes();
  if (!meta && inMemory) {
    try {
      meta = await handler.readMetadata({ filename, source: bufferArchiveSource(inMemory) }, request);
      publication.checkMetadata?.(meta, filename);
    } catch (err) {
      await staged.discard().catch(() => undefined);
      throw err;
    }
  }
  let guard = await guardBlob(ctx, staged.sha256).catch(async (err: unknown) => {
    await staged.discard().catch(() => undefined);
    throw err;
  });
  let committed = false;
  const id = newId();
  const uploadId = newId();
  const events: PendingEvent[] = [];
  let draft: PackageRow | null = null;
  let published: Published;
  try {
    try {
      await staged.commit();
      committed = true;
    } catch (err) {
      await staged.discard().catch(() => undefined);
      throw err;
    }
    if (!meta) {
      meta = await handler.readMetadata(
        { filename, source: blobArchiveSource(ctx.blobs, staged.sha256, staged.size) },
        request,
      );
      publication.checkMetadata?.(meta, filename);
    }
    const known = meta;
    published = { slug_perm: id, filename, name: meta.name, version: meta.version };
    if (guardLapsed(ctx, guard)) {
      guard = { kind: 'lock', ...(await lockBlob(ctx, staged.sha256)) };
      // Gone: nothing to record as a blob; the client sends the bytes again.
      if (!(await ctx.blobs.has(staged.sha256))) {
        committed = false;
        throw lockLost(filename);
      }
    }
    const held = guard;
    const at = ctx.clock();
    await inGroupCommit(ctx, async (trx) => {
      // A lease younger than half its life (by the clock that judges it) cannot have lapsed and been
      // taken: confirming it would cost a statement for nothing.
      if (
        held.kind === 'lock' &&
        ctx.clock().getTime() - held.at > LEASE_CONFIRM_AFTER_MS &&
        !(await held.lock.renew(trx))
      )
        throw lockLost(filename);
      await insertBlobRow(trx, staged, at);
      await insertUpload(trx, {
        id: uploadId,
        org_id: access.org.id,
        repo_id: access.repo.id,
        filename,
        method: 'put',
        declared_sha256: declared.sha256,
        declared_md5: declared.md5,
        state: 'consumed',
        blob_sha256: staged.sha256,
        size: staged.size,
        created_by: principal.serviceId,
        created_at: at.toISOString(),
        expires_at: at.toISOString(),
      });
      await writeNewPackage(trx, {
        actor,
        access,
        handler,
        meta: known,
        upload: { id: uploadId, filename, blob: staged },
        body: request,
        infoTags,
        id,
        at,
        events,
        onDraft: (row) => (draft = row),
      });
      await queueScanInCommit(trx, id, at);
      if (held.kind === 'lock') await held.lock.release(trx);
    });
  } catch (err) {
    await abandon(ctx, guard.kind === 'lock' ? guard.lock : null, committed ? staged : null).catch(
      (cleanup: unknown) =>
        ctx.log.warn({ err: cleanup, sha256: staged.sha256 }, 'refused publish not cleaned up'),
    );
    // Two publishes of one version racing past the caller's check: the unique index decided.
    if (isUniqueViolation(err) && draft) throw duplicateError(draft, repoRef(access).path);
    throw err;
  }
  ctx.log.info({ packageId: id, repo: repoRef(access).path, format: handler.format }, 'package published');
  const done = { jobsQueued: [SCAN_JOB] };
  await emitEvents(ctx, [
    ...events,
    { event: 'package.created', packageId: id, done },
    { event: 'package.synced', packageId: id },
  ]);
  return published;
}

/**
 * After a refused publish: records committed bytes as a blob (garbage collection removes them
 * once nothing refers to them) and releases the lock when one is held, in one group commit.
 */
async function abandon(
  ctx: ServiceContext,
  lock: HeldLease | null,
  staged: StagedBlob | null,
): Promise<void> {
  if (!lock && !staged) return;
  await inGroupCommit(ctx, async (trx: Db) => {
    if (staged) await insertBlobRow(trx, staged, ctx.clock());
    await lock?.release(trx);
  });
}
