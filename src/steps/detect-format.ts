import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';

/** A package format the push step uploads as. */
export type DetectedFormat = 'npm' | 'python' | 'raw';

/** The format of a file, and why, for the log. */
export interface Detection {
  format: DetectedFormat;
  reason: string;
}

/** Entries looked at before an archive counts as raw: detection must stay cheap on big archives. */
const MAX_ENTRIES = 10_000;

/** `<dir>/PKG-INFO` at the top level of an archive: a Python sdist. */
const SDIST_METADATA = /^[^/]+\/PKG-INFO$/;

type Found = 'npm' | 'sdist' | null;

function classifyEntry(name: string): Found {
  const clean = name.replace(/^\.\//, '');
  if (clean === 'package/package.json') return 'npm';
  if (SDIST_METADATA.test(clean)) return 'sdist';
  return null;
}

/** Reads the entry names of a gzipped tar until a telling one appears (or the budget runs out). */
async function scanTarGz(file: string): Promise<Found> {
  const extract = tar.extract();
  const source = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  let seen = 0;
  let found: Found = null;
  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      source.destroy();
      gunzip.destroy();
      extract.destroy();
      resolve();
    };
    extract.on('entry', (header, stream, next) => {
      seen += 1;
      found = classifyEntry(header.name);
      if (found || seen >= MAX_ENTRIES) {
        stream.resume();
        finish();
        return;
      }
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', finish);
    // An unreadable archive is simply not an npm tarball or sdist: it goes up as raw.
    source.on('error', finish);
    gunzip.on('error', finish);
    extract.on('error', finish);
  });
  source.pipe(gunzip).pipe(extract);
  await done;
  return found;
}

/** Reads the entry names of a zip's central directory (nothing is decompressed). */
function scanZip(file: string): Promise<Found> {
  return new Promise((resolve) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) return resolve(null);
      let seen = 0;
      const stop = (found: Found): void => {
        zip.close();
        resolve(found);
      };
      zip.on('entry', (entry: yauzl.Entry) => {
        seen += 1;
        const found = classifyEntry(entry.fileName);
        if (found === 'sdist') return stop(found);
        if (seen >= MAX_ENTRIES) return stop(null);
        zip.readEntry();
      });
      zip.on('end', () => resolve(null));
      zip.on('error', () => resolve(null));
      zip.readEntry();
    });
  });
}

/**
 * Detects how to upload a file: a `.tgz`/`.tar.gz` with `package/package.json` is an npm
 * tarball; a `.whl` is a wheel; a `.tar.gz` or `.zip` with `<name>-<version>/PKG-INFO` is a
 * Python sdist; anything else is raw (and needs a name and version).
 */
export async function detectFormat(file: string): Promise<Detection> {
  const base = path.basename(file).toLowerCase();
  if (base.endsWith('.whl')) return { format: 'python', reason: 'a wheel' };
  if (base.endsWith('.tgz') || base.endsWith('.tar.gz')) {
    const found = await scanTarGz(file);
    if (found === 'npm') return { format: 'npm', reason: 'an npm tarball with package/package.json' };
    if (found === 'sdist') return { format: 'python', reason: 'a Python sdist with PKG-INFO' };
    return { format: 'raw', reason: 'a tar archive that is neither an npm tarball nor an sdist' };
  }
  if (base.endsWith('.zip')) {
    if ((await scanZip(file)) === 'sdist')
      return { format: 'python', reason: 'a Python sdist with PKG-INFO' };
    return { format: 'raw', reason: 'a zip archive that is not an sdist' };
  }
  return { format: 'raw', reason: 'not an npm tarball, wheel or sdist' };
}
