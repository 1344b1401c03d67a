import { constants, gunzipSync } from 'node:zlib';
import { type ArchiveKind, archiveKindOfName } from './classify.js';
import { ExtractFailure, messageOf } from './types.js';

const TAR_BLOCK = 512;

/** True when the block is a tar header: `ustar` magic, or a v7 header whose checksum adds up. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < TAR_BLOCK) return false;
  if (block.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const stored = Number.parseInt(
    block
      .subarray(148, 156)
      .toString('latin1')
      .replace(/[\0 ]+/g, ''),
    8,
  );
  if (!Number.isFinite(stored) || stored === 0) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i += 1) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === stored;
}

function isZip(head: Buffer): boolean {
  const magic = head.subarray(0, 4).toString('latin1');
  return magic === 'PK\x03\x04' || magic === 'PK\x05\x06';
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === 'object' && error !== null && 'code' in error;
}

/** Inflates the start of a gzip stream only, enough to look at the first tar header. */
function gzipHoldsTar(head: Buffer, filename: string): boolean {
  try {
    const start = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1024 * 1024 });
    return isTarHeader(start.subarray(0, TAR_BLOCK));
  } catch (error) {
    // Too much output from a few KiB is a bomb's signature, and the streaming walk would say so.
    if (isNodeError(error) && error.code === 'ERR_BUFFER_TOO_LARGE') return true;
    throw new ExtractFailure(`${filename}: corrupt gzip data (${messageOf(error)}).`);
  }
}

/**
 * Tells from the first bytes of a file which archive it is, or null for a plain file. A file
 * whose name promises an archive but whose bytes are not one is corrupt, not unsupported.
 */
export function sniffArchive(head: Buffer, filename: string): ArchiveKind | null {
  const claimed = archiveKindOfName(filename);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    if (gzipHoldsTar(head, filename)) return 'tgz';
    if (claimed) throw new ExtractFailure(`${filename}: gzip data that holds no tar archive.`);
    return null;
  }
  if (isZip(head)) return 'zip';
  if (isTarHeader(head.subarray(0, TAR_BLOCK))) return 'tar';
  if (claimed)
    throw new ExtractFailure(`${filename}: named like a ${claimed} archive but its content is not one.`);
  return null;
}
