/**
 * The entries of a tar archive held in memory, read block by block without streams. A streamed
 * walk hands every entry through several stream stages and promise turns; for the small
 * archives a publish carries (an npm tarball: a few hundred entries) that machinery cost ten
 * times the decompression. The format rules follow the streaming reader the service uses
 * elsewhere, so both read the same archives the same way: ustar and GNU headers, GNU long names,
 * pax extended headers (path, linkpath, size; global ones apply to every later entry), all-zero
 * blocks skipped, a header whose checksum does not add up refused.
 */

const BLOCK = 512;
/** Longest long-name or pax header accepted (as the streaming reader). */
const MAX_LONG_HEADER = 1024 * 1024;
const SPACE = 0x20;

/** One entry of a tar archive: its header's fields and its data (a view into the archive). */
export interface TarBlockEntry {
  name: string;
  /** The streaming reader's type names (`file`, `directory`, `symlink`, …); null when unknown. */
  type: string | null;
  size: number;
  data: Buffer;
}

const TYPES: Record<number, string> = {
  0: 'file',
  1: 'link',
  2: 'symlink',
  3: 'character-device',
  4: 'block-device',
  5: 'directory',
  6: 'fifo',
  7: 'contiguous-file',
  72: 'pax-header',
  55: 'pax-global-header',
  27: 'gnu-long-link-path',
  28: 'gnu-long-path',
  30: 'gnu-long-path',
};

/** A NUL-terminated string field. */
function text(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
}

/** A numeric field: octal (after optional leading spaces), or base-256 when its top bit is set. */
function numeric(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // Base-256: big-endian two's complement with the marker bit.
    let value = 0;
    const negative = field[0] === 0xff;
    for (let i = 0; i < field.length; i++) {
      const byte = i === 0 ? field[i]! & 0x7f : field[i]!;
      value = value * 256 + (negative ? 0xff - byte : byte);
    }
    return negative ? -(value + 1) : value;
  }
  let i = 0;
  while (i < field.length && field[i] === SPACE) i++;
  let end = field.indexOf(SPACE, i);
  if (end < 0) end = field.length;
  while (i < end && field[i] === 0) i++;
  if (i === end) return 0;
  return parseInt(field.toString('latin1', i, end), 8);
}

function checksum(block: Buffer): number {
  let sum = 8 * SPACE;
  for (let i = 0; i < 148; i++) sum += block[i]!;
  for (let i = 156; i < BLOCK; i++) sum += block[i]!;
  return sum;
}

function invalid(): Error {
  return new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?');
}

/** The records of a pax extended header (`<length> <key>=<value>\n` each). */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let rest = data;
  while (rest.length) {
    const space = rest.indexOf(SPACE);
    const length = parseInt(rest.toString('latin1', 0, space < 0 ? rest.length : space), 10);
    if (!length) return records;
    const record = rest.toString('utf8', space + 1, length - 1);
    const eq = record.indexOf('=');
    if (eq < 0) return records;
    records[record.slice(0, eq)] = record.slice(eq + 1);
    rest = rest.subarray(length);
  }
  return records;
}

/** The header of one block, or null for an all-zero block. Throws for a block that is no header. */
function header(block: Buffer): { name: string; type: string | null; size: number } | null {
  const sum = checksum(block);
  if (sum === 8 * SPACE) return null;
  if (sum !== numeric(block, 148, 8)) throw invalid();
  const flag = block[156] === 0 ? 0 : block[156]! - 0x30;
  let name = text(block, 0, 100);
  const magic = block.toString('latin1', 257, 263);
  if (magic === 'ustar\0') {
    if (block[345]) name = `${text(block, 345, 155)}/${name}`;
  } else if (!(magic === 'ustar ' && block[263] === SPACE && block[264] === 0)) {
    throw new Error('Invalid tar header: unknown format.');
  }
  // Old archivers mark directories with a trailing slash only.
  const type = flag === 0 && name.endsWith('/') ? 'directory' : (TYPES[flag] ?? null);
  return { name, type, size: numeric(block, 124, 12) };
}

/**
 * The entries of `archive` in order (long-name and pax headers applied, not yielded). Throws
 * `Invalid tar header…` for a block that is no header and `Unexpected end of data` when the
 * archive ends inside a header or an entry.
 */
export function* tarBlockEntries(archive: Buffer): Generator<TarBlockEntry> {
  let offset = 0;
  let longName: string | null = null;
  let pax: Record<string, string> | null = null;
  let paxGlobal: Record<string, string> | null = null;
  while (offset < archive.length) {
    if (archive.length - offset < BLOCK) throw new Error('Unexpected end of data');
    const found = header(archive.subarray(offset, offset + BLOCK));
    offset += BLOCK;
    if (!found) continue;
    let { size } = found;
    const { type } = found;
    const long = type === 'gnu-long-path' || type === 'gnu-long-link-path' || type?.startsWith('pax');
    if (long && size > MAX_LONG_HEADER) throw new Error('Header exceeds max size');
    if (!long) {
      if (pax?.size) size = parseInt(pax.size, 10);
      if (!(size >= 0)) throw new Error('Invalid header');
    }
    const dataSize = type === 'directory' ? 0 : size;
    // The data, padded to whole blocks, must all be there.
    const padded = Math.ceil(dataSize / BLOCK) * BLOCK;
    if (archive.length - offset < padded) throw new Error('Unexpected end of data');
    const data = archive.subarray(offset, offset + dataSize);
    offset += padded;
    if (type === 'gnu-long-path') longName = text(data, 0, data.length);
    else if (type === 'pax-global-header') paxGlobal = paxRecords(data);
    else if (type === 'pax-header') pax = { ...paxGlobal, ...paxRecords(data) };
    else if (type !== 'gnu-long-link-path') {
      const name = pax?.path || longName || found.name;
      longName = null;
      pax = null;
      yield { name, type, size, data };
    }
  }
}
