import type { OsvAffected, OsvEvent, OsvRange } from '../advisories/osv.js';
import type { AnyVersionScheme } from './scheme.js';

type EventKind = 'introduced' | 'fixed' | 'last_affected';

interface Bound {
  kind: EventKind;
  raw: string;
  /** Order key of the version; null for `introduced: "0"`, which sorts before every version. */
  at: string | null;
}

interface CompiledRange {
  scheme: AnyVersionScheme;
  /** Events sorted by version, as the OSV evaluation rules ask. */
  bounds: Bound[];
  /** Order keys of the upper limits (`limit` events); empty when the range has none or `limit: "*"`. */
  limits: string[];
  /** The `fixed` events among the bounds, for the lowest fixed version above a version. */
  fixed: Bound[];
}

/** Picks the scheme for a range type, or null when ranges of that type are not evaluated. */
export type SchemeResolver = (rangeType: string) => AnyVersionScheme | null;

/**
 * A component version, read once per scheme however many entries it is checked against: the
 * order key each scheme gives it (null when that scheme cannot read it).
 */
export class VersionKeys {
  private scheme: AnyVersionScheme | null = null;
  private key: string | null = null;
  private other: AnyVersionScheme | null = null;
  private otherKey: string | null = null;

  /** @param text the version as the component names it */
  constructor(readonly text: string) {}

  /** The version's order key under `scheme`, or null when the scheme cannot read it. */
  keyFor(scheme: AnyVersionScheme): string | null {
    if (scheme === this.scheme) return this.key;
    if (scheme === this.other) return this.otherKey;
    const parsed: unknown = scheme.parse(this.text);
    const key = parsed === null ? null : (scheme.orderKey(parsed) as string);
    // Entries of one ecosystem use at most two schemes (its own and plain SemVer): two slots suffice.
    if (this.scheme === null) [this.scheme, this.key] = [scheme, key];
    else [this.other, this.otherKey] = [scheme, key];
    return key;
  }
}

/** An affected entry prepared once for many version checks. */
export interface AffectedMatcher {
  /** Whether the version is affected: listed in `versions`, or inside one of the ranges. */
  matches(version: string): boolean;
  /**
   * The lowest `fixed` version above `version` among the ranges that contain it (among all
   * ranges when only the `versions` list names it); null when there is none or the version
   * cannot be parsed.
   */
  fixedVersion(version: string): string | null;
  /** {@link matches} and {@link fixedVersion} in one pass: null when the version is not affected. */
  check(version: string | VersionKeys): { fixedVersion: string | null } | null;
  /** Ranges left out because an event's version could not be parsed. */
  readonly skippedRanges: number;
}

const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected'];

function keyOf(scheme: AnyVersionScheme, raw: string): string | null {
  const parsed: unknown = scheme.parse(raw);
  return parsed === null ? null : (scheme.orderKey(parsed) as string);
}

function compileRange(range: OsvRange, scheme: AnyVersionScheme): CompiledRange | null {
  const bounds: Bound[] = [];
  const limits: string[] = [];
  for (const event of range.events) {
    const entry = eventEntry(event);
    if (!entry) return null;
    const [kind, raw] = entry;
    if (kind === 'limit') {
      if (raw === '*') continue;
      const at = keyOf(scheme, raw);
      if (at === null) return null;
      limits.push(at);
      continue;
    }
    if (kind === 'introduced' && raw === '0') {
      bounds.push({ kind, raw, at: null });
      continue;
    }
    const at = keyOf(scheme, raw);
    if (at === null) return null;
    bounds.push({ kind, raw, at });
  }
  // Array.prototype.sort is stable, so events at the same version keep the advisory's order.
  bounds.sort((a, b) =>
    a.at === null ? (b.at === null ? 0 : -1) : b.at === null ? 1 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0,
  );
  return { scheme, bounds, limits, fixed: bounds.filter((b) => b.kind === 'fixed') };
}

function eventEntry(event: OsvEvent): [EventKind | 'limit', string] | null {
  for (const kind of EVENT_KINDS) if (typeof event[kind] === 'string') return [kind, event[kind]];
  return typeof event.limit === 'string' ? ['limit', event.limit] : null;
}

/** The OSV evaluation of one range: walk the sorted events up to the version (an order key). */
function rangeContains(range: CompiledRange, version: string): boolean {
  if (range.limits.length > 0 && !range.limits.some((limit) => version < limit)) return false;
  let affected = false;
  for (const bound of range.bounds) {
    if (bound.at === null) {
      affected = true;
      continue;
    }
    if (version < bound.at) break;
    if (bound.kind === 'introduced') affected = true;
    else if (bound.kind === 'fixed') affected = false;
    else if (version !== bound.at) affected = false;
  }
  return affected;
}

/**
 * Prepares an OSV affected entry for version checks. A range whose type the resolver does not
 * evaluate (GIT, or ECOSYSTEM for an unknown ecosystem) or that has an event version the scheme
 * cannot parse is left out: it matches nothing. The `versions` list always applies, by exact
 * string and, when both parse, by version equality (PyPI's `1.0` equals `1.0.0`).
 */
export function compileAffected(
  affected: Pick<OsvAffected, 'ranges' | 'versions'>,
  resolveScheme: SchemeResolver,
  listScheme: AnyVersionScheme | null,
): AffectedMatcher {
  const ranges: CompiledRange[] = [];
  let skippedRanges = 0;
  for (const range of affected.ranges ?? []) {
    const scheme = resolveScheme(range.type);
    if (!scheme) continue;
    const compiled = compileRange(range, scheme);
    if (compiled) ranges.push(compiled);
    else skippedRanges++;
  }
  const listed = new Set(affected.versions ?? []);
  // Keyed on first need: most checks are settled by the ranges or the exact string.
  let listedKeys: Set<string> | null = null;
  const listedKeySet = (scheme: AnyVersionScheme): Set<string> => {
    if (!listedKeys) {
      listedKeys = new Set();
      for (const v of listed) {
        const key = keyOf(scheme, v);
        if (key !== null) listedKeys.add(key);
      }
    }
    return listedKeys;
  };

  const inList = (version: VersionKeys): boolean => {
    if (listed.has(version.text)) return true;
    if (!listScheme || listed.size === 0) return false;
    const key = version.keyFor(listScheme);
    return key !== null && listedKeySet(listScheme).has(key);
  };

  /**
   * Walks the ranges once: whether one contains `version` and the lowest `fixed` above it among
   * those that do (`all`: among every range, for a version only the `versions` list names).
   */
  const walk = (version: VersionKeys, all: boolean): { hit: boolean; fixed: string | null } => {
    let hit = false;
    let best: Bound | null = null;
    let bestScheme: AnyVersionScheme | null = null;
    for (const range of ranges) {
      const key = version.keyFor(range.scheme);
      if (key === null) continue;
      if (!all) {
        if (!rangeContains(range, key)) continue;
        hit = true;
      }
      for (const bound of range.fixed) {
        if (bound.at! <= key) continue;
        if (!best || (bestScheme === range.scheme && bound.at! < best.at!)) {
          best = bound;
          bestScheme = range.scheme;
        }
      }
    }
    return { hit, fixed: best?.raw ?? null };
  };
  const check = (version: VersionKeys): { fixedVersion: string | null } | null => {
    const found = walk(version, false);
    if (found.hit) return { fixedVersion: found.fixed };
    if (inList(version)) return { fixedVersion: walk(version, true).fixed };
    return null;
  };
  const keysOf = (version: string | VersionKeys): VersionKeys =>
    typeof version === 'string' ? new VersionKeys(version) : version;

  return {
    skippedRanges,
    matches(version) {
      if (listed.has(version)) return true;
      const keys = new VersionKeys(version);
      for (const range of ranges) {
        const key = keys.keyFor(range.scheme);
        if (key !== null && rangeContains(range, key)) return true;
      }
      return inList(keys);
    },
    fixedVersion(version) {
      return check(keysOf(version))?.fixedVersion ?? null;
    },
    check: (version) => check(keysOf(version)),
  };
}
