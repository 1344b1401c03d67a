import semver, { type SemVer } from 'semver';
import { END, HIGH, LOW, MID, numberKey, numericTextKey } from './order-key.js';

/**
 * How one versioning scheme reads and orders version strings. `parse` never throws: a string
 * that is not a version of the scheme gives null.
 */
export interface VersionScheme<V> {
  /** Name shown in messages and benchmarks. */
  readonly name: string;
  parse(version: string): V | null;
  /** Negative, zero or positive as `a` sorts before, with or after `b`. */
  compare(a: V, b: V): number;
  /** A string equal for two versions exactly when `compare` says they are equal. */
  key(version: V): string;
  /**
   * A string whose code-unit order is the scheme's order: `orderKey(a) < orderKey(b)` exactly
   * when `compare(a, b) < 0`, and equal exactly when `compare` says equal (see order-key.ts).
   */
  orderKey(version: V): string;
}

/** Any scheme, with its parsed-version type erased (matchers only pass values back to it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed values only flow back into the scheme that made them
export type AnyVersionScheme = VersionScheme<any>;

const NUMERIC = /^[0-9]+$/;

/**
 * node-semver's order as a string: major, minor and patch as numbers; then a release sorts after
 * every pre-release of it; pre-release identifiers in turn, numeric ones (compared as numbers)
 * before alphanumeric ones (compared as text), a shorter list before a longer one it starts.
 * Build metadata is left out, as the order ignores it.
 */
function semverOrderKey(v: SemVer): string {
  let key = numberKey(v.major) + numberKey(v.minor) + numberKey(v.patch);
  if (v.prerelease.length === 0) return key + HIGH;
  key += LOW;
  for (const id of v.prerelease) {
    if (typeof id === 'number') key += LOW + numberKey(id);
    // node-semver keeps numeric identifiers past 2^53 as text and compares them as doubles.
    else if (NUMERIC.test(id)) key += LOW + numericTextKey(id);
    else key += MID + id + END;
  }
  return key + END;
}

/**
 * SemVer 2.0 as node-semver implements it (the order npm uses). Build metadata is ignored in
 * comparisons, as SemVer requires; a leading `v` or `=` is accepted, as npm accepts it.
 */
export const semverScheme: VersionScheme<SemVer> = {
  name: 'semver',
  parse(version: string): SemVer | null {
    try {
      // node-semver's strict grammar takes a leading `v` but not the `=` npm also writes.
      return semver.parse(version.trim().replace(/^=\s*/, ''));
    } catch {
      return null;
    }
  },
  compare: (a, b) => a.compare(b),
  // `version` leaves out build metadata, which never affects the order.
  key: (v) => v.version,
  orderKey: semverOrderKey,
};
