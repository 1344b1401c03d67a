import type { OsvAffected } from '../advisories/osv.js';
import { compileAffected, type AffectedMatcher } from './affected.js';
import { cratesVersions } from './crates.js';
import { goVersions } from './go.js';
import { npmVersions } from './npm.js';
import { pypiVersions } from './pypi.js';
import { semverScheme, type AnyVersionScheme } from './scheme.js';

export { VersionKeys, type AffectedMatcher } from './affected.js';
export type { VersionScheme } from './scheme.js';

/** The OSV ecosystems whose versions Airlock orders itself. */
export const KNOWN_ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io'] as const;

/** One of {@link KNOWN_ECOSYSTEMS}. */
export type KnownEcosystem = (typeof KNOWN_ECOSYSTEMS)[number];

const SCHEMES: Record<KnownEcosystem, AnyVersionScheme> = {
  npm: npmVersions,
  PyPI: pypiVersions,
  Go: goVersions,
  'crates.io': cratesVersions,
};

const ALIASES: Record<string, KnownEcosystem> = {
  npm: 'npm',
  pypi: 'PyPI',
  python: 'PyPI',
  pip: 'PyPI',
  go: 'Go',
  golang: 'Go',
  'crates.io': 'crates.io',
  crates: 'crates.io',
  cargo: 'crates.io',
};

/**
 * The OSV spelling of an ecosystem name (`pypi` → `PyPI`, `cargo` → `crates.io`, `golang` →
 * `Go`); other names come back trimmed but otherwise unchanged.
 */
export function normalizeEcosystem(ecosystem: string): string {
  const trimmed = ecosystem.trim();
  return ALIASES[trimmed.toLowerCase()] ?? trimmed;
}

/** The version scheme of an ecosystem, or null when Airlock does not know how it orders versions. */
export function schemeForEcosystem(ecosystem: string): AnyVersionScheme | null {
  const name = normalizeEcosystem(ecosystem);
  return name in SCHEMES ? SCHEMES[name as KnownEcosystem] : null;
}

type SchemeLookup = (ecosystem: string) => AnyVersionScheme | null;

function compileWith(
  lookup: SchemeLookup,
  semver: AnyVersionScheme,
  ecosystem: string,
  affected: Pick<OsvAffected, 'ranges' | 'versions'>,
): AffectedMatcher {
  const scheme = lookup(ecosystem);
  // SEMVER ranges use the ecosystem's own scheme when it is SemVer-based (Go adds its `v`).
  const semverBased = scheme !== null && scheme.name !== pypiVersions.name;
  return compileAffected(
    affected,
    (type) => (type === 'ECOSYSTEM' ? scheme : type === 'SEMVER' ? (semverBased ? scheme : semver) : null),
    scheme,
  );
}

/**
 * Prepares an affected entry of `ecosystem` for many checks (see {@link isAffected} for the
 * rules). SEMVER ranges use the ecosystem's scheme when it is SemVer-based (npm, crates.io, Go)
 * and plain SemVer otherwise; ECOSYSTEM ranges need a known ecosystem; GIT ranges are not
 * evaluated.
 */
export function compileAffectedFor(
  ecosystem: string,
  affected: Pick<OsvAffected, 'ranges' | 'versions'>,
): AffectedMatcher {
  return compileWith(schemeForEcosystem, semverScheme, ecosystem, affected);
}

/**
 * Whether `version` of a package in `ecosystem` is affected by an OSV `affected` entry: it is
 * listed in `versions`, or it lies inside one of the SEMVER/ECOSYSTEM `ranges`, evaluated as the
 * OSV schema says (events sorted by version; `introduced` — `"0"` meaning since the first
 * version — opens, `fixed` closes before itself, `last_affected` closes after itself, `limit`
 * caps the range; several ranges and several introduced/fixed pairs all count).
 *
 * Never throws. A version the ecosystem's scheme cannot parse simply matches no range (it can
 * still match an exact `versions` entry), and a range with an event version the scheme cannot
 * parse is left out.
 */
export function isAffected(
  ecosystem: string,
  version: string,
  affected: Pick<OsvAffected, 'ranges' | 'versions'>,
): boolean {
  return compileAffectedFor(ecosystem, affected).matches(version);
}
