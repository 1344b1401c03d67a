import { ExtractFailure } from './types.js';

/** Which package the archive itself is, deciding which of its files describe the package itself. */
export type PackageKind = 'npm' | 'python' | 'cargo' | 'none';

/** The readers the extractor has, one per kind of file it understands. */
export type ManifestKind =
  | 'npm-package-self'
  | 'npm-package-bundled'
  | 'npm-lock'
  | 'yarn-lock'
  | 'pnpm-lock'
  | 'requirements'
  | 'python-metadata'
  | 'poetry-lock'
  | 'pipfile-lock'
  | 'go-mod'
  | 'go-sum'
  | 'cargo-lock'
  | 'cargo-manifest'
  | 'sbom';

/** How an archive is laid out on the wire. */
export type ArchiveKind = 'zip' | 'tar' | 'tgz';

const BY_BASENAME: ReadonlyMap<string, ManifestKind> = new Map<string, ManifestKind>([
  ['package-lock.json', 'npm-lock'],
  ['npm-shrinkwrap.json', 'npm-lock'],
  ['yarn.lock', 'yarn-lock'],
  ['pnpm-lock.yaml', 'pnpm-lock'],
  ['poetry.lock', 'poetry-lock'],
  ['pipfile.lock', 'pipfile-lock'],
  ['go.mod', 'go-mod'],
  ['go.sum', 'go-sum'],
  ['cargo.lock', 'cargo-lock'],
]);

const REQUIREMENTS = /^(?:.*[-_.])?requirements(?:[-_.].*)?\.txt$/i;
const REQUIREMENTS_DIR = /(?:^|\/)requirements\/[^/]+\.txt$/i;
const SBOM = /(?:^s?bom\.json|\.(?:cdx|spdx|sbom)\.json)$/i;
const NPM_ROOT_PACKAGE = /^[^/]+\/package\.json$/;
const NPM_BUNDLED_PACKAGE = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@._][^/]*\/package\.json$/;
const WHEEL_METADATA = /^[^/]+\.dist-info\/METADATA$/;
const SDIST_PKG_INFO = /^(?:[^/]+\/)?PKG-INFO$/;
const CRATE_MANIFEST = /^[^/]+\/Cargo\.toml$/;

/** The last path segment. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Reads the archive layout a file name promises, or null when the name is no archive's. */
export function archiveKindOfName(name: string): ArchiveKind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip') || lower.endsWith('.whl')) return 'zip';
  if (lower.endsWith('.tgz') || lower.endsWith('.tar.gz') || lower.endsWith('.crate')) return 'tgz';
  if (lower.endsWith('.tar')) return 'tar';
  return null;
}

/** The package kind of the pushed artifact, from its repository format and, failing that, its name. */
export function packageKindOfArtifact(format: string, filename: string): PackageKind {
  const fmt = format.toLowerCase();
  if (fmt === 'npm' || fmt === 'python' || fmt === 'cargo') return fmt;
  return packageKindOfNested(filename, false);
}

/**
 * The package kind of an archive found inside another, from its name alone: npm packs `.tgz`,
 * wheels are `.whl`, crates `.crate`, and a `.tar.gz`/`.zip` may be an sdist.
 */
export function packageKindOfNested(name: string, nested = true): PackageKind {
  const lower = name.toLowerCase();
  if (lower.endsWith('.whl')) return 'python';
  if (lower.endsWith('.crate')) return 'cargo';
  if (!nested) return 'none';
  if (lower.endsWith('.tgz')) return 'npm';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.zip')) return 'python';
  return 'none';
}

/** Which reader, if any, understands the file at `path` inside an archive of the given kind. */
export function classifyEntry(path: string, kind: PackageKind): ManifestKind | null {
  if (kind === 'npm' && NPM_ROOT_PACKAGE.test(path)) return 'npm-package-self';
  if (kind === 'python' && (WHEEL_METADATA.test(path) || SDIST_PKG_INFO.test(path))) return 'python-metadata';
  if (kind === 'cargo' && CRATE_MANIFEST.test(path)) return 'cargo-manifest';
  if (NPM_BUNDLED_PACKAGE.test(path)) return 'npm-package-bundled';
  const base = baseName(path);
  const insideNodeModules = /(?:^|\/)node_modules\//.test(path);
  // npm's hidden lockfile describes the installed tree; any other lockfile under node_modules
  // belongs to a dependency's own development and names packages that were never installed.
  if (base === '.package-lock.json' && /(?:^|\/)node_modules\/\.package-lock\.json$/.test(path))
    return 'npm-lock';
  if (insideNodeModules) return null;
  if (REQUIREMENTS_DIR.test(path)) return 'requirements';
  return classifyName(base);
}

/** Which reader, if any, understands a file pushed on its own under `filename`. */
export function classifyName(filename: string): ManifestKind | null {
  const base = baseName(filename);
  const known = BY_BASENAME.get(base.toLowerCase());
  if (known) return known;
  if (REQUIREMENTS.test(base)) return 'requirements';
  if (SBOM.test(base)) return 'sbom';
  return null;
}

/**
 * Checks an archive entry's name and returns it without a leading `./`. Absolute names, `..`
 * segments and NUL bytes are refused: nothing is written to disk, but an archive that carries
 * them was built to attack whoever unpacks it.
 */
export function checkEntryPath(name: string, where: string): string {
  if (name.includes('\0')) throw new ExtractFailure(`${where}: an entry name contains a NUL byte.`);
  if (/^(?:[/\\]|[A-Za-z]:)/.test(name))
    throw new ExtractFailure(`${where}: entry "${name}" has an absolute path.`);
  if (name.split(/[/\\]/).includes('..'))
    throw new ExtractFailure(`${where}: entry "${name}" climbs out of the archive with "..".`);
  let path = name;
  while (path.startsWith('./')) path = path.slice(2);
  return path;
}
