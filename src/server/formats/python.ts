import { createHash } from 'node:crypto';
import { clean as cleanPep440, valid as validPep440 } from '@renovatebot/pep440';
import type { PackageUploadRequest } from '../../api/packages.js';
import { sniffArchive, walkTar, walkZip, type ArchiveEntry, type ArchiveKind } from './archive.js';
import {
  explainArchiveError,
  invalidPackage,
  type FormatHandler,
  type PackageMetadata,
  type UploadedFile,
} from './package-metadata.js';
import { spdxOrNull } from './spdx.js';

const METADATA_MAX_BYTES = 4 * 1024 * 1024;
const DESCRIPTION_MAX_CHARS = 64 * 1024;
// PEP 508 distribution names.
const PYTHON_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** Core metadata (METADATA / PKG-INFO): RFC 822 style headers, then the description as the body. */
export interface CoreMetadata {
  /** Header values by lower-case name, in order (a header may repeat). */
  headers: Map<string, string[]>;
  body: string;
}

/** Parses core metadata text; continuation lines (leading whitespace) join the header before. */
export function parseCoreMetadata(text: string): CoreMetadata {
  const headers = new Map<string, string[]>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let last: { key: string; index: number } | null = null;
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') break;
    if (/^[ \t]/.test(line) && last) {
      const values = headers.get(last.key)!;
      values[last.index] += '\n' + line.replace(/^(?: {8}|\t|\s*\|)/, '');
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(key) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(key, values);
    last = { key, index: values.length - 1 };
  }
  return {
    headers,
    body: lines
      .slice(i + 1)
      .join('\n')
      .trim(),
  };
}

function first(meta: CoreMetadata, key: string): string {
  return meta.headers.get(key)?.[0]?.trim() ?? '';
}

/** The distribution kind a file name says it is, and the container that kind must be. */
function expectedKind(filename: string): { dist: 'wheel' | 'sdist'; container: ArchiveKind } | null {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) return { dist: 'wheel', container: 'zip' };
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return { dist: 'sdist', container: 'tar.gz' };
  if (lower.endsWith('.zip')) return { dist: 'sdist', container: 'zip' };
  return null;
}

async function readCoreMetadata(
  file: UploadedFile,
  dist: 'wheel' | 'sdist',
  container: ArchiveKind,
): Promise<Buffer> {
  const kind = await sniffArchive(file.source);
  if (kind !== container) {
    const want = container === 'zip' ? 'a zip archive' : 'a gzip-compressed tar archive';
    throw invalidPackage('python', file.filename, `is not ${want}, as a ${dist} named like this must be`);
  }
  // A wheel keeps it in <name>-<version>.dist-info/METADATA; an sdist in <name>-<version>/PKG-INFO.
  const wanted = dist === 'wheel' ? /^[^/]+\.dist-info\/METADATA$/ : /^[^/]+\/PKG-INFO$/;
  const found: { text?: Buffer } = {};
  const visit = async (entry: ArchiveEntry): Promise<void> => {
    if (entry.kind === 'file' && found.text === undefined && wanted.test(entry.path)) {
      found.text = await entry.read(METADATA_MAX_BYTES);
    }
  };
  try {
    if (container === 'zip') await walkZip(file.source, visit);
    else await walkTar(file.source, visit);
  } catch (err) {
    throw explainArchiveError('python', file.filename, err);
  }
  if (found.text === undefined) {
    const where = dist === 'wheel' ? '*.dist-info/METADATA' : 'a top-level PKG-INFO';
    throw invalidPackage('python', file.filename, `has no ${where}`);
  }
  return found.text;
}

/**
 * The exact bytes of a wheel's core metadata (`*.dist-info/METADATA`), which the index serves
 * beside the wheel (PEP 658) so that installers resolve without downloading it.
 */
export async function readWheelMetadata(file: UploadedFile): Promise<Buffer> {
  return readCoreMetadata(file, 'wheel', 'zip');
}

/** The license: the SPDX `License-Expression`, else the `License` field, else a license classifier. */
function licenseOf(meta: CoreMetadata): { license: string; spdx: string | null } {
  const expression = first(meta, 'license-expression');
  if (expression) return { license: expression, spdx: spdxOrNull(expression) };
  const field = first(meta, 'license');
  if (field && field.toUpperCase() !== 'UNKNOWN') {
    const oneLine = field.split('\n', 1)[0]!.trim();
    return { license: oneLine, spdx: spdxOrNull(oneLine) };
  }
  const classifier = (meta.headers.get('classifier') ?? []).find((c) => c.startsWith('License ::'));
  const label = classifier?.split('::').pop()?.trim() ?? '';
  return { license: label, spdx: null };
}

/**
 * Python distributions: a wheel (`.whl`, its *.dist-info/METADATA) or an sdist (`.tar.gz` or
 * `.zip`, its PKG-INFO). Name, Version, Summary and the license come from there.
 */
export const pythonFormat: FormatHandler = {
  format: 'python',

  checkRequest(): void {
    // Every python field comes from the file.
  },

  async readMetadata(file: UploadedFile, _body: PackageUploadRequest): Promise<PackageMetadata> {
    const expected = expectedKind(file.filename);
    if (!expected) {
      throw invalidPackage(
        'python',
        file.filename,
        'is neither a wheel (.whl) nor an sdist (.tar.gz, .zip), judging by its name',
      );
    }
    const where = expected.dist === 'wheel' ? 'METADATA' : 'PKG-INFO';
    const raw = await readCoreMetadata(file, expected.dist, expected.container);
    const meta = parseCoreMetadata(raw.toString('utf8'));
    const name = first(meta, 'name');
    const version = first(meta, 'version');
    if (!name) throw invalidPackage('python', file.filename, `has no Name in its ${where}`);
    if (!PYTHON_NAME.test(name)) {
      throw invalidPackage(
        'python',
        file.filename,
        `has the Name '${name}', which is not a valid project name`,
      );
    }
    if (!version) throw invalidPackage('python', file.filename, `has no Version in its ${where}`);
    if (!validPep440(version)) {
      throw invalidPackage(
        'python',
        file.filename,
        `has the Version '${version}', which is not a valid PEP 440 version`,
      );
    }
    const { license, spdx } = licenseOf(meta);
    const description = (first(meta, 'description') || meta.body).slice(0, DESCRIPTION_MAX_CHARS);
    const extra: Record<string, unknown> = {
      distribution: expected.dist,
      metadata_version: first(meta, 'metadata-version') || null,
      requires_python: first(meta, 'requires-python') || null,
      requires_dist: meta.headers.get('requires-dist') ?? [],
      // The index announces this hash beside the wheel (PEP 658/714) and serves the same bytes.
      core_metadata_sha256: expected.dist === 'wheel' ? createHash('sha256').update(raw).digest('hex') : null,
    };
    return {
      name,
      version: cleanPep440(version) ?? version,
      versionOrig: version,
      summary: first(meta, 'summary').slice(0, 255),
      description,
      license,
      spdxLicense: spdx,
      packageType: expected.dist === 'wheel' ? 1 : 2,
      extra,
    };
  },
};

/** The project name and version a distribution's file name states, or null when it states none. */
export function nameAndVersionOfFilename(filename: string): { name: string; version: string } | null {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.whl')) {
    // {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl; the name never holds a '-'.
    const parts = filename.slice(0, -'.whl'.length).split('-');
    if (parts.length !== 5 && parts.length !== 6) return null;
    return { name: parts[0]!, version: parts[1]! };
  }
  const ext = ['.tar.gz', '.tgz', '.zip'].find((e) => lower.endsWith(e));
  if (!ext) return null;
  // {name}-{version}.tar.gz: older sdists keep '-' in the name, so the version follows the last one.
  const stem = filename.slice(0, -ext.length);
  const dash = stem.lastIndexOf('-');
  if (dash <= 0 || dash === stem.length - 1) return null;
  return { name: stem.slice(0, dash), version: stem.slice(dash + 1) };
}

function sameVersion(a: string, b: string): boolean {
  const clean = (v: string): string => cleanPep440(v.replace(/_/g, '-')) ?? v.toLowerCase();
  return clean(a) === clean(b);
}

/**
 * Why a distribution's file name and its core metadata disagree on the name or the version (an
 * installer picks files by their name, so the two must say the same), or null when they agree.
 */
export function filenameDisagreement(
  filename: string,
  meta: Pick<PackageMetadata, 'name' | 'version'>,
): string | null {
  const stated = nameAndVersionOfFilename(filename);
  const where = filename.toLowerCase().endsWith('.whl') ? 'METADATA' : 'PKG-INFO';
  if (!stated) {
    return `The file name '${filename}' is not a distribution's ({name}-{version}…) as installers expect.`;
  }
  const key = (n: string): string => n.toLowerCase().replace(/[-_.]+/g, '-');
  if (key(stated.name) === key(meta.name) && sameVersion(stated.version, meta.version)) return null;
  return (
    `The file name '${filename}' says name '${stated.name}' version '${stated.version}', ` +
    `but its ${where} says name '${meta.name}' version '${meta.version}'.`
  );
}
