import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseOsvAdvisory } from './osv.js';
import { readOsvZip } from './sources.js';

/** An archive that failed {@link verifyOsvArchive}. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** sha256 (hex) of a file, read as a stream. */
export async function fileSha256(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

/**
 * Checks a downloaded archive before anything of it is imported: it must be a readable zip
 * (a truncated download has no central directory, a corrupt one fails to inflate) holding at
 * least one `.json` entry, and every entry must be an OSV advisory. Returns the number of
 * documents; throws an error saying what is wrong.
 */
export async function verifyOsvArchive(file: string, signal?: AbortSignal): Promise<number> {
  let documents = 0;
  try {
    for await (const entry of readOsvZip(file)) {
      signal?.throwIfAborted();
      try {
        parseOsvAdvisory(entry.text);
      } catch (err) {
        throw new ArchiveError(
          `entry ${entry.file} is not an OSV advisory (${err instanceof Error ? err.message : String(err)})`,
        );
      }
      documents++;
    }
  } catch (err) {
    if (err instanceof ArchiveError || signal?.aborted) throw err;
    throw new ArchiveError(
      `not a readable zip archive (${err instanceof Error ? err.message : String(err)}); truncated or corrupt`,
    );
  }
  if (documents === 0) throw new ArchiveError('the archive holds no OSV .json documents');
  return documents;
}
