import type { SemVer } from 'semver';
import { semverScheme, type VersionScheme } from './scheme.js';

/**
 * npm versions: SemVer 2.0 with node-semver's order (the order the npm client resolves with).
 * Ranges in npm advisories are SEMVER ranges over the same strings.
 */
export const npmVersions: VersionScheme<SemVer> = { ...semverScheme, name: 'npm' };
