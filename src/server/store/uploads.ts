import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { BlobDigest } from './blobs.js';
import type { Database, ReposTable, UploadsTable } from './schema.js';
import { dbOf, type DbSource } from './source.js';

/** An upload row. */
export type UploadRow = Selectable<UploadsTable>;

/** The database or a transaction on it: every function here works in either. */
export type Queryable = Kysely<Database>;

/** The states an upload may still take bytes in. */
type UploadState = UploadRow['state'];

/** Records a new upload. */
export async function insertUpload(source: DbSource, row: UploadRow): Promise<void> {
  const db = dbOf(source);
  await db.insertInto('uploads').values(row).execute();
}

/** The upload with this id, or undefined. */
export async function findUpload(source: DbSource, id: string): Promise<UploadRow | undefined> {
  const db = dbOf(source);
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The upload with this id in one repository, or undefined. */
export async function findUploadInRepo(
  source: DbSource,
  repoId: string,
  id: string,
): Promise<UploadRow | undefined> {
  const db = dbOf(source);
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', id)
    .where('repo_id', '=', repoId)
    .executeTakeFirst();
}

/** An upload of a repository joined with its blob's digests (null columns while it has none). */
export async function findUploadWithBlob(source: DbSource, repoId: string, id: string) {
  const db = dbOf(source);
  return db
    .selectFrom('uploads')
    .leftJoin('blobs', 'blobs.sha256', 'uploads.blob_sha256')
    .select([
      'uploads.id',
      'uploads.filename',
      'uploads.state',
      'uploads.expires_at',
      'blobs.sha256',
      'blobs.size',
      'blobs.md5',
      'blobs.sha1',
      'blobs.sha512',
    ])
    .where('uploads.id', '=', id)
    .where('uploads.repo_id', '=', repoId)
    .executeTakeFirst();
}

/** The repository an upload belongs to, as access checks need it. */
export async function uploadRepo(
  source: DbSource,
  repoId: string,
): Promise<Pick<Selectable<ReposTable>, 'id' | 'org_id' | 'repository_type'>> {
  const db = dbOf(source);
  return db
    .selectFrom('repos')
    .select(['id', 'org_id', 'repository_type'])
    .where('id', '=', repoId)
    .executeTakeFirstOrThrow();
}

/**
 * Moves an upload from one of `from` to `to` when it is in one of them (and, with `liveAt`, has
 * not expired by then). True when this call made the change: the conditional update is what
 * keeps two requests from both claiming one upload.
 */
export async function moveUploadState(
  source: DbSource,
  id: string,
  from: readonly UploadState[],
  to: UploadState,
  liveAt?: Date,
): Promise<boolean> {
  const db = dbOf(source);
  let query = db.updateTable('uploads').set({ state: to }).where('id', '=', id).where('state', 'in', from);
  if (liveAt) query = query.where('expires_at', '>', liveAt.toISOString());
  const res = await query.executeTakeFirst();
  return res.numUpdatedRows === 1n;
}

/**
 * Records verified bytes: the blob row (kept when the same bytes are already known) and the
 * upload as complete with a new expiry, in one transaction. False when the upload left
 * `receiving` meanwhile (aborted or expired); the blob row stays then, so that garbage
 * collection finds the committed bytes and removes them after the TTL.
 */
export async function completeUploadWithBlob(
  source: DbSource,
  args: { uploadId: string; blob: BlobDigest; at: Date; expiresAt: string },
): Promise<boolean> {
  const db = dbOf(source);
  return db.transaction().execute(async (trx) => {
    const { blob } = args;
    await insertBlobRow(trx, blob, args.at);
    const done = await trx
      .updateTable('uploads')
      .set({ state: 'complete', blob_sha256: blob.sha256, size: blob.size, expires_at: args.expiresAt })
      .where('id', '=', args.uploadId)
      .where('state', '=', 'receiving')
      .executeTakeFirst();
    return done.numUpdatedRows === 1n;
  });
}

/**
 * Records committed bytes: the blob row, kept as it is when the same bytes are already known
 * (its creation time then stays, which garbage collection goes by).
 */
export async function insertBlobRow(source: DbSource, blob: BlobDigest, at: Date): Promise<void> {
  await dbOf(source)
    .insertInto('blobs')
    .values({
      sha256: blob.sha256,
      size: blob.size,
      md5: blob.md5,
      sha1: blob.sha1,
      sha512: blob.sha512,
      created_at: at.toISOString(),
    })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

/** Bytes stored in the parts of an upload other than `exceptPart`. */
export async function otherPartsSize(
  source: DbSource,
  uploadId: string,
  exceptPart: number,
): Promise<number> {
  const db = dbOf(source);
  const row = await db
    .selectFrom('upload_parts')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('total'))
    .where('upload_id', '=', uploadId)
    .where('part_number', '!=', exceptPart)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Records a stored part (a part stored again replaces the row of the earlier one). */
export async function upsertPart(
  source: DbSource,
  args: { uploadId: string; partNumber: number; size: number; at: Date },
): Promise<void> {
  const db = dbOf(source);
  const now = args.at.toISOString();
  await db
    .insertInto('upload_parts')
    .values({ upload_id: args.uploadId, part_number: args.partNumber, size: args.size, created_at: now })
    .onConflict((oc) =>
      oc.columns(['upload_id', 'part_number']).doUpdateSet({ size: args.size, created_at: now }),
    )
    .execute();
}

/** The parts of an upload in order. */
export async function listParts(
  source: DbSource,
  uploadId: string,
): Promise<{ part_number: number; size: number }[]> {
  const db = dbOf(source);
  const rows = await db
    .selectFrom('upload_parts')
    .select(['part_number', 'size'])
    .where('upload_id', '=', uploadId)
    .orderBy('part_number')
    .execute();
  return rows.map((r) => ({ part_number: Number(r.part_number), size: Number(r.size) }));
}

/** Forgets the part rows of an upload. */
export async function deletePartRows(source: DbSource, uploadId: string): Promise<void> {
  const db = dbOf(source);
  await db.deleteFrom('upload_parts').where('upload_id', '=', uploadId).execute();
}

/** The digests of a known blob. */
export async function findBlob(
  source: DbSource,
  sha256: string,
): Promise<{ sha256: string; md5: string; size: number } | undefined> {
  const db = dbOf(source);
  const row = await db
    .selectFrom('blobs')
    .select(['sha256', 'md5', 'size'])
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return row && { ...row, size: Number(row.size) };
}

/** Uploads not consumed whose expiry passed at `now`, oldest first, at most `limit`. */
export async function dueUploads(
  source: DbSource,
  now: Date,
  limit: number,
): Promise<Pick<UploadRow, 'id' | 'state' | 'expires_at'>[]> {
  const db = dbOf(source);
  return db
    .selectFrom('uploads')
    .select(['id', 'state', 'expires_at'])
    .where('state', 'in', ['pending', 'receiving', 'complete'])
    .where('expires_at', '<=', now.toISOString())
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

/** Aborts an upload still in `state` whose expiry passed at `now`; true when this call did. */
export async function abortExpiredUpload(
  source: DbSource,
  id: string,
  state: UploadState,
  now: Date,
): Promise<boolean> {
  const db = dbOf(source);
  const res = await db
    .updateTable('uploads')
    .set({ state: 'aborted' })
    .where('id', '=', id)
    .where('state', '=', state)
    .where('expires_at', '<=', now.toISOString())
    .executeTakeFirst();
  return res.numUpdatedRows === 1n;
}

// A blob is garbage when no package (live or deleted: the row still points at it) and no
// completed, unclaimed upload refers to it.
function unreferenced(eb: ExpressionBuilder<Database, 'blobs'>) {
  return eb.and([
    eb.not(
      eb.exists(
        eb.selectFrom('packages').select('packages.id').whereRef('packages.blob_sha256', '=', 'blobs.sha256'),
      ),
    ),
    eb.not(
      eb.exists(
        eb
          .selectFrom('uploads')
          .select('uploads.id')
          .whereRef('uploads.blob_sha256', '=', 'blobs.sha256')
          .where('uploads.state', '=', 'complete'),
      ),
    ),
  ]);
}

/** Blobs created before `cutoff` that nothing refers to, at most `limit`. */
export async function garbageBlobs(source: DbSource, cutoff: Date, limit: number): Promise<string[]> {
  const db = dbOf(source);
  const rows = await db
    .selectFrom('blobs')
    .select('sha256')
    .where('created_at', '<', cutoff.toISOString())
    .where(unreferenced)
    .limit(limit)
    .execute();
  return rows.map((r) => r.sha256);
}

/**
 * Deletes a blob row when it is still garbage (checked again in the statement itself: a package
 * may have claimed the blob meanwhile). True when this call deleted it.
 */
export async function deleteGarbageBlob(source: DbSource, sha256: string, cutoff: Date): Promise<boolean> {
  const db = dbOf(source);
  const res = await db
    .deleteFrom('blobs')
    .where('sha256', '=', sha256)
    .where('created_at', '<', cutoff.toISOString())
    .where(unreferenced)
    .executeTakeFirst();
  return res.numDeletedRows === 1n;
}

/**
 * Returns whole-file uploads left `receiving` with no live receipt at `now` (the request that
 * was sending their bytes died) to `pending`, so their URL takes the bytes again. Returns how many.
 */
export async function releaseAbandonedUploads(source: DbSource, now: Date): Promise<number> {
  const db = dbOf(source);
  const res = await db
    .updateTable('uploads')
    .set({ state: 'pending' })
    .where('state', '=', 'receiving')
    .where('method', '!=', 'put_parts')
    .where('blob_sha256', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('upload_receipts')
            .select('upload_receipts.token')
            .whereRef('upload_receipts.upload_id', '=', 'uploads.id')
            .where('upload_receipts.expires_at', '>', now.toISOString()),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Claims a whole-file upload left `receiving` by a request that died (no live receipt at `now`
 * but the caller's own, which is inserted first), so its URL works again as soon as the dead
 * sender's lease ends. True when this call claimed it.
 */
export async function takeOverAbandonedUpload(source: DbSource, id: string, now: Date): Promise<boolean> {
  const db = dbOf(source);
  const iso = now.toISOString();
  const res = await db
    .updateTable('uploads')
    .set({ state: 'receiving' })
    .where('id', '=', id)
    .where('state', '=', 'receiving')
    .where('method', '!=', 'put_parts')
    .where('blob_sha256', 'is', null)
    .where('expires_at', '>', iso)
    .where(
      ({ selectFrom }) =>
        selectFrom('upload_receipts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .whereRef('upload_receipts.upload_id', '=', 'uploads.id')
          .where('upload_receipts.expires_at', '>', iso),
      '<=',
      1,
    )
    .executeTakeFirst();
  return res.numUpdatedRows === 1n;
}

/** Ids among `ids` with a live receipt at `now`: a request somewhere is receiving their bytes. */
export async function uploadsReceiving(
  source: DbSource,
  ids: readonly string[],
  now: Date,
): Promise<Set<string>> {
  const db = dbOf(source);
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('upload_receipts')
    .select('upload_id')
    .where('upload_id', 'in', ids)
    .where('expires_at', '>', now.toISOString())
    .execute();
  return new Set(rows.map((r) => r.upload_id));
}
