import type { ExpressionBuilder } from 'kysely';
import type { ServiceExtension } from '../extensions.js';
import type { Database } from '../store/schema.js';
import { leasedIntervalTask } from '../jobs/scheduler.js';
import type { ServiceContext } from './context.js';
import { receivingNow, withBlobLock } from './upload-receive.js';

/** Rows handled per kind in one pass; the next pass takes the rest. */
const BATCH = 500;

/** What one expiry pass did. */
export interface ExpiryResult {
  /** Uploads past their expiry, now aborted (their parts removed). */
  abortedUploads: number;
  /** Blobs nothing referenced any more, removed (row and file). */
  removedBlobs: number;
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

/**
 * One pass of upload expiry at `now`: uploads past `expires_at` that were not consumed become
 * aborted and lose their parts; then blobs older than the upload TTL that nothing references are
 * deleted, the row first and the file after it. An upload still receiving bytes in this process
 * gets one extra TTL before it is cut off.
 */
export async function runUploadExpiry(ctx: ServiceContext, now: Date = ctx.clock()): Promise<ExpiryResult> {
  const ttlMs = ctx.config.limits.uploadTtlSeconds * 1000;
  const nowIso = now.toISOString();
  const cutoff = new Date(now.getTime() - ttlMs).toISOString();
  const result: ExpiryResult = { abortedUploads: 0, removedBlobs: 0 };

  const busy = receivingNow(ctx);
  const due = await ctx.db
    .selectFrom('uploads')
    .select(['id', 'state', 'expires_at'])
    .where('state', 'in', ['pending', 'receiving', 'complete'])
    .where('expires_at', '<=', nowIso)
    .orderBy('expires_at')
    .limit(BATCH)
    .execute();
  for (const upload of due) {
    if (busy.has(upload.id) && upload.expires_at > cutoff) continue;
    const aborted = await ctx.db
      .updateTable('uploads')
      .set({ state: 'aborted' })
      .where('id', '=', upload.id)
      .where('state', '=', upload.state)
      .where('expires_at', '<=', nowIso)
      .executeTakeFirst();
    if (aborted.numUpdatedRows !== 1n) continue;
    await ctx.db.deleteFrom('upload_parts').where('upload_id', '=', upload.id).execute();
    await ctx.blobs.removeParts(upload.id);
    result.abortedUploads += 1;
  }

  const garbage = await ctx.db
    .selectFrom('blobs')
    .select('sha256')
    .where('created_at', '<', cutoff)
    .where(unreferenced)
    .limit(BATCH)
    .execute();
  for (const { sha256 } of garbage) {
    await withBlobLock(ctx, sha256, async () => {
      try {
        // Checked again in the statement itself: a package may have claimed the blob meanwhile.
        const deleted = await ctx.db
          .deleteFrom('blobs')
          .where('sha256', '=', sha256)
          .where('created_at', '<', cutoff)
          .where(unreferenced)
          .executeTakeFirst();
        if (deleted.numDeletedRows !== 1n) return;
      } catch (err) {
        // A row of another table still refers to it (a foreign key said no): keep it.
        ctx.log.warn({ err, sha256 }, 'blob kept: still referenced');
        return;
      }
      await ctx.blobs.remove(sha256);
      result.removedBlobs += 1;
    });
  }
  return result;
}

/**
 * Releases whole-file uploads a previous run of the service left `receiving`: that run died with
 * the request, its staged bytes were cleared at start (like the staging area, the data
 * directory belongs to one running service), and the client must be able to send the file
 * again rather than meet 409/410 until the upload's TTL. Nothing of the cut-off body is kept, so
 * no partial file can become a package. Multipart uploads stay `receiving`: that is their state
 * while parts arrive, and each stored part is whole. Returns how many were released.
 */
export async function releaseInterruptedUploads(ctx: ServiceContext): Promise<number> {
  const released = await ctx.db
    .updateTable('uploads')
    .set({ state: 'pending' })
    .where('state', '=', 'receiving')
    .where('method', '!=', 'put_parts')
    .where('blob_sha256', 'is', null)
    .executeTakeFirst();
  return Number(released.numUpdatedRows);
}

/**
 * Releases uploads interrupted by the previous run, then runs upload expiry in the background,
 * every minute (sooner for short TTLs), in one process at a time of those sharing the database
 * (the holder of the `upload-expiry` lease).
 */
export const uploadExpiryExtension: ServiceExtension = async (ctx) => {
  const released = await releaseInterruptedUploads(ctx);
  if (released) ctx.log.info({ released }, 'uploads interrupted by the previous run released');
  const intervalMs = Math.min(60_000, Math.max(1_000, (ctx.config.limits.uploadTtlSeconds * 1000) / 4));
  return [
    leasedIntervalTask(
      ctx.db,
      'upload-expiry',
      intervalMs,
      async () => {
        const done = await runUploadExpiry(ctx);
        if (done.abortedUploads || done.removedBlobs) ctx.log.info(done, 'upload expiry pass');
      },
      (err) => ctx.log.error({ err }, 'upload expiry pass failed'),
      { clock: ctx.clock },
    ),
  ];
};
