import { normalizeEcosystem } from '../versions/index.js';

/**
 * The folded form of a package name, used to find advisories for it: PEP 503 for PyPI (lower
 * case, runs of `-`, `_`, `.` become one `-`), lower case with `_` read as `-` for crates.io
 * (the registry refuses names that differ only that way), lower case elsewhere.
 */
export function packageNameKey(ecosystem: string, name: string): string {
  const folded = name.trim().toLowerCase();
  switch (normalizeEcosystem(ecosystem)) {
    case 'PyPI':
      return folded.replace(/[-_.]+/g, '-');
    case 'crates.io':
      return folded.replace(/_/g, '-');
    default:
      return folded;
  }
}

/**
 * The form of a name that identifies the package: the folded name for PyPI and crates.io, the
 * exact name for npm and Go, because both registries hold distinct packages whose names differ
 * only in case (npm's older mixed-case packages such as `JSONStream`; Go module paths).
 */
export function packageIdentity(ecosystem: string, name: string): string {
  switch (normalizeEcosystem(ecosystem)) {
    case 'PyPI':
    case 'crates.io':
      return packageNameKey(ecosystem, name);
    default:
      return name.trim();
  }
}

/** Whether two names denote the same package of `ecosystem` (see {@link packageIdentity}). */
export function isSamePackage(ecosystem: string, a: string, b: string): boolean {
  return packageIdentity(ecosystem, a) === packageIdentity(ecosystem, b);
}
