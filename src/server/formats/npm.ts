import crypto from 'node:crypto';
import semver from 'semver';
import type { PackageUploadRequest } from '../../api/packages.js';
import { invalidField } from '../domain/errors.js';
import { sniffArchive, walkTar, type ArchiveEntry } from './archive.js';
import {
  explainArchiveError,
  invalidPackage,
  type FormatHandler,
  type PackageMetadata,
  type UploadedFile,
} from './package-metadata.js';
import { spdxOrNull } from './spdx.js';

const MANIFEST = 'package/package.json';
const MANIFEST_MAX_BYTES = 1024 * 1024;
// npm's rules (validate-npm-package-name): URL-safe, optional scope, at most 214 characters.
const NPM_NAME = /^(?:@[a-z0-9~][a-z0-9._~-]*\/)?[a-z0-9~][a-z0-9._~-]*$/i;
const DIST_TAG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The license field of a package.json: a string, or the old `{type}` object / `licenses` list. */
function licenseOf(manifest: Record<string, unknown>): string {
  const { license, licenses } = manifest;
  if (typeof license === 'string') return license.trim();
  if (license && typeof license === 'object' && typeof (license as { type?: unknown }).type === 'string') {
    return (license as { type: string }).type.trim();
  }
  if (Array.isArray(licenses)) {
    const types = licenses
      .map((l: unknown) => (l && typeof l === 'object' ? (l as { type?: unknown }).type : undefined))
      .filter((t): t is string => typeof t === 'string');
    if (types.length) return types.length === 1 ? types[0]! : `(${types.join(' OR ')})`;
  }
  return '';
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

// The package.json fields a packument carries for each version (npm's abbreviated set and what
// `npm view` shows); the rest (readme, scripts' bodies aside) stays in the tarball.
const PACKUMENT_FIELDS = [
  'name',
  'version',
  'description',
  'keywords',
  'homepage',
  'bugs',
  'license',
  'author',
  'contributors',
  'funding',
  'main',
  'module',
  'types',
  'exports',
  'bin',
  'man',
  'directories',
  'repository',
  'scripts',
  'dependencies',
  'devDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'optionalDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'acceptDependencies',
  'engines',
  'os',
  'cpu',
  'libc',
  'deprecated',
  '_hasShrinkwrap',
] as const;
// A manifest bigger than this keeps only what installing needs.
const PACKUMENT_MANIFEST_MAX_CHARS = 64 * 1024;
const INSTALL_FIELDS = new Set([
  'name',
  'version',
  'bin',
  'dependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'optionalDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'engines',
  'os',
  'cpu',
  'libc',
]);

/** The part of a package.json a packument shows for its version. */
function packumentManifest(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of PACKUMENT_FIELDS) if (json[key] !== undefined) out[key] = json[key];
  if (JSON.stringify(out).length <= PACKUMENT_MANIFEST_MAX_CHARS) return out;
  return Object.fromEntries(Object.entries(out).filter(([k]) => INSTALL_FIELDS.has(k)));
}

/** The SHA-512 of the whole file in npm's integrity form (`sha512-<base64>`). */
async function integrityOf(file: UploadedFile): Promise<string> {
  const hash = crypto.createHash('sha512');
  if (file.source.bytes) hash.update(file.source.bytes);
  else for await (const chunk of await file.source.open()) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/** Dist-tags already found not to be version ranges: the check parses a range, each publish names a tag. */
const tagsNotRanges = new Set<string>();
const TAGS_REMEMBERED = 1000;

/** True when `tag` reads as a version or range (npm refuses those as dist-tags). */
function isVersionRange(tag: string): boolean {
  if (tagsNotRanges.has(tag)) return false;
  if (semver.validRange(tag)) return true;
  if (tagsNotRanges.size >= TAGS_REMEMBERED) tagsNotRanges.clear();
  tagsNotRanges.add(tag);
  return false;
}

interface Manifest {
  path: string;
  json: Buffer;
}

/** Reads package/package.json from an npm tarball (the `.tgz` `npm pack` makes), walking it whole. */
async function readManifest(file: UploadedFile): Promise<Manifest> {
  const kind = await sniffArchive(file.source);
  if (kind !== 'tar.gz') {
    throw invalidPackage(
      'npm',
      file.filename,
      'is not a gzip-compressed tar archive (an npm package is the .tgz file `npm pack` writes)',
    );
  }
  // npm itself strips the first path component, so another top-level directory is accepted too.
  const seen: { exact?: Manifest; other?: Manifest } = {};
  const visit = async (entry: ArchiveEntry): Promise<void> => {
    if (entry.kind !== 'file' || !/^[^/]+\/package\.json$/.test(entry.path)) return;
    const slot = entry.path === MANIFEST ? 'exact' : 'other';
    if (!seen[slot]) seen[slot] = { path: entry.path, json: await entry.read(MANIFEST_MAX_BYTES) };
  };
  try {
    // Walking to the end (not stopping at the manifest) is what detects a truncated tarball.
    await walkTar(file.source, visit);
  } catch (err) {
    throw explainArchiveError('npm', file.filename, err);
  }
  const manifest = seen.exact ?? seen.other;
  if (!manifest) throw invalidPackage('npm', file.filename, `has no ${MANIFEST}`);
  return manifest;
}

/**
 * npm packages: the name, version, description and license come from the tarball's
 * package/package.json; `npm_dist_tag` (default `latest`) names the dist-tag to point at it.
 */
export const npmFormat: FormatHandler = {
  format: 'npm',

  checkRequest(body: PackageUploadRequest): void {
    const tag = body.npm_dist_tag;
    if (tag === undefined) return;
    if (!DIST_TAG.test(tag)) {
      throw invalidField('npm_dist_tag', `'${tag}' must be letters, digits, '.', '_' or '-'.`);
    }
    if (isVersionRange(tag)) {
      throw invalidField(
        'npm_dist_tag',
        `'${tag}' must not be a version or version range (npm refuses those).`,
      );
    }
  },

  async readMetadata(file: UploadedFile, body: PackageUploadRequest): Promise<PackageMetadata> {
    const manifest = await readManifest(file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(manifest.json.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw invalidPackage('npm', file.filename, `has a ${manifest.path} that is not valid JSON (${reason})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw invalidPackage('npm', file.filename, `has a ${manifest.path} that is not a JSON object`);
    }
    const json = parsed as Record<string, unknown>;
    const { name, version } = json;
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalidPackage('npm', file.filename, `has no "name" in ${manifest.path}`);
    }
    if (name.length > 214 || !NPM_NAME.test(name)) {
      throw invalidPackage(
        'npm',
        file.filename,
        `has the name '${name}', which is not a valid npm package name`,
      );
    }
    if (typeof version !== 'string' || version.trim() === '') {
      throw invalidPackage('npm', file.filename, `has no "version" in ${manifest.path}`);
    }
    const normalised = semver.valid(version.trim());
    if (!normalised) {
      throw invalidPackage('npm', file.filename, `has the version '${version}', which is not valid SemVer`);
    }
    const description = typeof json.description === 'string' ? json.description : '';
    const license = licenseOf(json);
    const extra: Record<string, unknown> = { npm_dist_tag: body.npm_dist_tag ?? 'latest' };
    const dependencies = stringMap(json.dependencies);
    if (dependencies) extra.dependencies = dependencies;
    // What the native registry serves for this version: kept in the row, so that the packument
    // is built from rows and a package pushed through the API is installable like a published one.
    extra.npm_manifest = { ...packumentManifest(json), version: normalised };
    extra.npm_integrity = await integrityOf(file);
    return {
      name,
      version: normalised,
      versionOrig: version,
      summary: description.split('\n', 1)[0]!.slice(0, 255),
      description,
      license,
      spdxLicense: spdxOrNull(license),
      packageType: 1,
      extra,
    };
  },
};
