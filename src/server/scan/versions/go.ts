import type { SemVer } from 'semver';
import { semverScheme, type VersionScheme } from './scheme.js';

const GO_TOOLCHAIN = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?$/;
const SHORTHAND = /^(\d+)(?:\.(\d+))?$/;

/**
 * Turns a Go version into the SemVer string OSV ranges use: drops the leading `v` of module
 * versions, expands the `vMAJOR` / `vMAJOR.MINOR` shorthands Go accepts, and rewrites toolchain
 * versions of the standard library (`go1.21`, `go1.21.3`, `go1.22rc1`) the way the Go
 * vulnerability database writes them (`1.21.0`, `1.21.3`, `1.22.0-rc.1`). Returns null for
 * anything else that has no leading `v`.
 */
export function canonicalGoVersion(version: string): string | null {
  const text = version.trim();
  const toolchain = GO_TOOLCHAIN.exec(text);
  if (toolchain) {
    const [, major, minor = '0', patch = '0', pre, preNumber] = toolchain;
    return `${major}.${minor}.${patch}${pre ? `-${pre}.${preNumber}` : ''}`;
  }
  const bare = text.startsWith('v') ? text.slice(1) : text;
  const short = SHORTHAND.exec(bare);
  if (short) return `${short[1]}.${short[2] ?? '0'}.0`;
  return bare;
}

/**
 * Go module versions. Pseudo-versions (`v0.0.0-20200101000000-abcdef123456`,
 * `v1.2.4-0.20200101000000-abcdef123456`) are SemVer pre-releases and order by SemVer's
 * pre-release rules, which is how the go command orders them; `+incompatible` is build metadata
 * and does not change the order.
 */
export const goVersions: VersionScheme<SemVer> = {
  ...semverScheme,
  name: 'Go',
  parse(version: string): SemVer | null {
    const canonical = canonicalGoVersion(version);
    return canonical === null ? null : semverScheme.parse(canonical);
  },
};
