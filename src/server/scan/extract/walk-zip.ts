import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import yauzl from 'yauzl';
import type { Entry, Options, ZipFile } from 'yauzl';
import { type Budget, countBytes, RatioGuard } from './budget.js';
import type { EntryType, EntryVisitor } from './entries.js';
import { ExtractFailure, messageOf } from './types.js';

const OPTIONS: Options = {
  lazyEntries: true,
  autoClose: false,
  validateEntrySizes: true,
  strictFileNames: false,
};

/** Opens a zip file on disk without reading its entries yet. */
export function openZipFile(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, OPTIONS, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

/** Opens a zip held in memory (a zip found inside another archive). */
export function openZipBuffer(buffer: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, OPTIONS, (error, zip) => (error ? reject(error) : resolve(zip)));
  });
}

/** yauzl checks entry names itself; say what its refusals mean in the words the tar walk uses. */
function explainNameError(error: unknown, where: string): unknown {
  const match = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(
    messageOf(error),
  );
  if (!match) return error;
  const problem =
    match[1] === 'absolute path'
      ? 'has an absolute path'
      : match[1] === 'invalid relative path'
        ? 'climbs out of the archive with ".."'
        : 'contains a backslash';
  return new ExtractFailure(`${where}: entry "${match[2]}" ${problem}.`);
}

function entryType(entry: Entry): EntryType {
  // Unix zips keep the file mode in the high half of the external attributes.
  const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
  if (mode === 0o120000) return 'symlink';
  if (mode === 0o040000 || entry.fileName.endsWith('/')) return 'directory';
  if (mode === 0 || mode === 0o100000) return 'file';
  return 'other';
}

function openEntry(zip: ZipFile, entry: Entry, where: string, budget: Budget): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, raw) => {
      if (error) return reject(error);
      const guard = new RatioGuard(budget.limits, `${where}!${entry.fileName}`);
      guard.compressed = entry.compressedSize;
      const counter = countBytes((count) => {
        budget.addBytes(count, where);
        guard.addInflated(count);
      });
      // Errors surface to whoever reads the returned stream, which pipeline destroys with them.
      resolve(pipeline(raw, counter, () => undefined));
    });
  });
}

/**
 * Walks a zip's central directory one entry at a time. Only entries the visitor opens are
 * inflated, each counted against the budget and checked against its compressed size, so
 * neither a lying header nor a skipped bomb costs more than the limits allow.
 */
export async function walkZip(
  zip: ZipFile,
  where: string,
  budget: Budget,
  visit: EntryVisitor,
): Promise<void> {
  try {
    budget.checkEntriesFit(zip.entryCount, where);
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (error: unknown) => reject(explainNameError(error, where)));
      zip.on('end', () => resolve());
      const onEntry = async (entry: Entry): Promise<void> => {
        budget.addEntry(where);
        await visit({
          name: entry.fileName,
          type: entryType(entry),
          open: () => openEntry(zip, entry, where, budget),
        });
      };
      zip.on('entry', (entry: Entry) => {
        onEntry(entry).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    try {
      zip.close();
    } catch {
      // Already closed by a failing read; nothing left to release.
    }
  }
}
