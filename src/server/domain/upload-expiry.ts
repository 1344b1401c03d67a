import type { BackgroundTask } from './background.js';
import { leasedIntervalTask } from '../jobs/scheduler.js';
import { dropLeases, leaseOwner, withBlobLock } from '../store/upload-leases.js';
import * as store from '../store/uploads.js';
import type { ServiceContext } from './context.js';
import { leaseScope } from './upload-receive.js';

/** Rows handled per kind in one pass; the next pass takes the rest. */
const BATCH = 500;

/** What one expiry pass did. */
export interface ExpiryResult {
  /** Uploads past their expiry, now aborted (their parts removed). */
  abortedUploads: number;
  /** Blobs nothing referenced any more, removed (row and file). */
  removedBlobs: number;
  /** Whole-file uploads whose sender died, returned to pending so their URL works again. */
  releasedUploads: number;
}

/**
 * One pass of upload expiry at `now`: uploads past `expires_at` that were not consumed become
 * aborted and lose their parts; whole-file uploads whose sender died (its receipt lease ended)
 * take bytes again; then blobs older than the upload TTL that nothing references are deleted,
 * the row first and the bytes after it, under the blob address's lock. An upload that a request
 * of any process is still receiving gets one extra TTL before it is cut off.
 */
export async function runUploadExpiry(ctx: ServiceContext, now: Date = ctx.clock()): Promise<ExpiryResult> {
  const ttlMs = ctx.config.limits.uploadTtlSeconds * 1000;
  const cutoff = new Date(now.getTime() - ttlMs);
  const result: ExpiryResult = { abortedUploads: 0, removedBlobs: 0, releasedUploads: 0 };

  // Leases are judged by the clock that wrote and renews them; `now` may be a later time a test
  // asks about, by which a live sender would have renewed its lease.
  const leaseNow = ctx.clock();
  await dropLeases(ctx, null, leaseNow);
  result.releasedUploads = await store.releaseAbandonedUploads(ctx, leaseNow);

  const due = await store.dueUploads(ctx, now, BATCH);
  const busy = await store.uploadsReceiving(
    ctx,
    due.map((u) => u.id),
    leaseNow,
  );
  for (const upload of due) {
    if (busy.has(upload.id) && upload.expires_at > cutoff.toISOString()) continue;
    if (!(await store.abortExpiredUpload(ctx, upload.id, upload.state, now))) continue;
    await store.deletePartRows(ctx, upload.id);
    await ctx.blobs.removeParts(upload.id);
    result.abortedUploads += 1;
  }

  for (const sha256 of await store.garbageBlobs(ctx, cutoff, BATCH)) {
    await withBlobLock(leaseScope(ctx), sha256, async (stillHeld) => {
      try {
        if (!(await store.deleteGarbageBlob(ctx, sha256, cutoff))) return;
      } catch (err) {
        // A row of another table still refers to it (a foreign key said no): keep it.
        ctx.log.warn({ err, sha256 }, 'blob kept: still referenced');
        return;
      }
      // The row is gone either way; bytes kept by a lapsed lock are only an orphan (a later
      // upload of the same bytes reuses them), never a package without its bytes.
      if (!(await stillHeld())) return;
      await ctx.blobs.remove(sha256);
      result.removedBlobs += 1;
    });
  }
  return result;
}

/**
 * Releases whole-file uploads a previous run of the service left `receiving`: that run died with
 * the request, its staged bytes were cleared at start, and the client must be able to send the
 * file again rather than meet 409/410 until the upload's TTL. A process that owns its blob store
 * alone (a data directory) drops every lease its previous run held at once; with a shared store
 * (S3) only leases that expired count as dead, and later expiry passes release the rest. Nothing
 * of a cut-off body is kept, so no partial file can become a package. Multipart uploads stay
 * `receiving`: that is their state while parts arrive, and each stored part is whole. Returns
 * how many were released.
 */
export async function releaseInterruptedUploads(ctx: ServiceContext): Promise<number> {
  const now = ctx.clock();
  await dropLeases(ctx, ctx.blobs.exclusive ? leaseOwner(ctx.blobs) : null, now);
  return store.releaseAbandonedUploads(ctx, now);
}

/**
 * Releases uploads interrupted by the previous run, then runs upload expiry in the background,
 * every minute (sooner for short TTLs), in one process at a time of those sharing the database
 * (the holder of the `upload-expiry` lease).
 */
export async function uploadExpiryTasks(ctx: ServiceContext): Promise<BackgroundTask[]> {
  const released = await releaseInterruptedUploads(ctx);
  if (released) ctx.log.info({ released }, 'uploads interrupted by the previous run released');
  const intervalMs = Math.min(60_000, Math.max(1_000, (ctx.config.limits.uploadTtlSeconds * 1000) / 4));
  return [
    leasedIntervalTask(
      ctx,
      'upload-expiry',
      intervalMs,
      async () => {
        const done = await runUploadExpiry(ctx);
        if (done.abortedUploads || done.removedBlobs || done.releasedUploads)
          ctx.log.info(done, 'upload expiry pass');
      },
      (err) => ctx.log.error({ err }, 'upload expiry pass failed'),
      { clock: ctx.clock },
    ),
  ];
}
