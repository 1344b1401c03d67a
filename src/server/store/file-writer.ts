import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { noteSpentBuffers } from '../young-generation.js';
import { TooLargeError } from './blobs.js';
import type { Digester } from './digest.js';

/**
 * Bytes queued behind the write in flight before the reader waits for the disk. The writes
 * gather what is queued into one `writev`, so a fast sender costs a few system calls per
 * handful of network chunks rather than one each. Kept small: a chunk that waits here outlives
 * young-generation collections and, promoted, is freed only by a full one; with 1 MiB, four
 * concurrent uploads peaked 40 MiB higher.
 */
const QUEUE_BYTES = 256 * 1024;

/**
 * Bytes written between two background `fdatasync` calls. The kernel otherwise keeps a whole
 * upload dirty in the page cache until the final sync, which then writes it all while the client
 * waits (a third of a second per GiB here); syncing as the bytes arrive overlaps that with the
 * transfer and keeps the final sync short. It also keeps the dirty set small, so the writer is
 * not throttled by the kernel's dirty-page limits on a busy machine.
 */
const SYNC_EVERY = 32 * 1024 * 1024;

/** What {@link writeFileFrom} did. */
export interface WrittenFile {
  /** Bytes written. */
  size: number;
}

/**
 * Streams `source` into a new file `file` (which must not exist), feeding each chunk to
 * `digester` when given, and syncs the file to disk before resolving. Fails with TooLargeError
 * past `maxBytes` before writing the byte that crosses it. On any failure the file is removed
 * and the digester cancelled.
 *
 * One loop reads, hashes and queues; one `writev` at a time writes what is queued. Compared with
 * a chain of stream stages this saves a hand-over per chunk at each stage, and the writes are few
 * and large.
 */
export async function writeFileFrom(
  source: Readable,
  file: string,
  maxBytes: number,
  digester?: Digester,
): Promise<WrittenFile> {
  const handle = await fsp.open(file, 'wx');
  let size = 0;
  let position = 0;
  let queue: Buffer[] = [];
  let queued = 0;
  let writing: Promise<void> | null = null;
  let syncing: Promise<void> | null = null;
  // Read through a function: the compiler cannot see that the writes set it meanwhile.
  const syncInFlight = (): Promise<void> => syncing ?? Promise.resolve();
  let unsynced = 0;
  let failure: unknown = null;

  // Writes what is queued, then whatever queued up meanwhile, until the queue is empty.
  const drain = async (): Promise<void> => {
    while (queue.length > 0 && failure === null) {
      const batch = queue;
      const bytes = queued;
      queue = [];
      queued = 0;
      const at = position;
      position += bytes;
      await handle.writev(batch, at);
      unsynced += bytes;
      if (unsynced >= SYNC_EVERY && !syncing) {
        unsynced = 0;
        syncing = handle.datasync().finally(() => (syncing = null));
        syncing.catch((err: unknown) => (failure ??= err));
      }
    }
  };
  const startWriting = (): void => {
    writing ??= drain()
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => (writing = null));
  };

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (failure !== null) throw failure;
      size += chunk.length;
      if (size > maxBytes) throw new TooLargeError(maxBytes);
      noteSpentBuffers(chunk.length);
      digester?.update(chunk);
      queue.push(chunk);
      queued += chunk.length;
      startWriting();
      // Waits while the disk or the hashing thread is behind, so a fast sender is slowed to
      // their pace instead of queueing the upload in memory.
      if (queued >= QUEUE_BYTES) await writing;
      if (digester && !digester.hasRoom()) await digester.ready();
    }
    while (writing) await writing;
    await syncInFlight();
    if (failure !== null) throw failure;
    await handle.sync();
    await handle.close();
    return { size };
  } catch (err) {
    digester?.cancel();
    // Let the write in flight settle before the file goes away under it.
    while (writing) await writing;
    await syncInFlight().catch(() => undefined);
    await handle.close().catch(() => undefined);
    await fsp.rm(file, { force: true });
    throw err;
  }
}
