import type { SemVer } from 'semver';
import { semverScheme, type VersionScheme } from './scheme.js';

/**
 * crates.io versions: Cargo requires SemVer 2.0 for every published version, so the SemVer order
 * (pre-releases before their release, build metadata ignored) is the registry's order.
 */
export const cratesVersions: VersionScheme<SemVer> = { ...semverScheme, name: 'crates.io' };
