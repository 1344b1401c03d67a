import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { type Budget, countBytes, RatioGuard } from './budget.js';
import type { EntryType, EntryVisitor } from './entries.js';
import { messageOf } from './types.js';

function entryType(type: Header['type'] | null | undefined): EntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined:
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * Streams a tar (optionally gzip-compressed) archive entry by entry, never holding more than the
 * entry being read. Every byte out of the decompressor is counted against the budget and, for
 * gzip, against the ratio guard, so a bomb stops as soon as it shows.
 */
export async function walkTar(
  source: Readable,
  gzip: boolean,
  where: string,
  budget: Budget,
  visit: EntryVisitor,
): Promise<void> {
  const extract = tar.extract();
  // Stopping early destroys streams, which report their own errors; the caller needs the cause.
  let failure: unknown;
  extract.on('entry', (header, stream, next) => {
    // The failure that matters reaches the caller through the pipeline; this one is an echo.
    stream.on('error', () => undefined);
    let opened = false;
    const handle = async (): Promise<void> => {
      budget.addEntry(where);
      await visit({
        name: header.name,
        type: entryType(header.type),
        open: async () => {
          opened = true;
          return Readable.from(stream);
        },
      });
      if (!opened) for await (const _chunk of stream) void _chunk;
    };
    handle().then(
      () => next(),
      (error: unknown) => {
        failure ??= error;
        next(error instanceof Error ? error : new Error(messageOf(error)));
      },
    );
  });
  const guard = new RatioGuard(budget.limits, where);
  const inflated = countBytes((count) => {
    budget.addBytes(count, where);
    if (gzip) guard.addInflated(count);
  });
  const counted = gzip
    ? [
        countBytes((count) => {
          guard.compressed += count;
        }),
        createGunzip(),
        inflated,
      ]
    : [inflated];
  try {
    await pipeline([source, ...counted, extract]);
  } catch (error) {
    throw failure ?? error;
  }
}
