import type { OsvAffected, OsvEvent, OsvRange } from '../advisories/osv.js';
import type { AnyVersionScheme } from './scheme.js';

type EventKind = 'introduced' | 'fixed' | 'last_affected';

interface Bound {
  kind: EventKind;
  raw: string;
  /** Parsed version; null for `introduced: "0"`, which sorts before every version. */
  at: unknown;
}

interface CompiledRange {
  scheme: AnyVersionScheme;
  /** Events sorted by version, as the OSV evaluation rules ask. */
  bounds: Bound[];
  /** Upper limits (`limit` events); empty when the range has none or `limit: "*"`. */
  limits: unknown[];
  /** The `fixed` events among the bounds, for the lowest fixed version above a version. */
  fixed: Bound[];
}

/** Picks the scheme for a range type, or null when ranges of that type are not evaluated. */
export type SchemeResolver = (rangeType: string) => AnyVersionScheme | null;

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
  check(version: string): { fixedVersion: string | null } | null;
  /** Ranges left out because an event's version could not be parsed. */
  readonly skippedRanges: number;
}

const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected'];

function compileRange(range: OsvRange, scheme: AnyVersionScheme): CompiledRange | null {
  const bounds: Bound[] = [];
  const limits: unknown[] = [];
  for (const event of range.events) {
    const entry = eventEntry(event);
    if (!entry) return null;
    const [kind, raw] = entry;
    if (kind === 'limit') {
      if (raw === '*') continue;
      const at = scheme.parse(raw);
      if (at === null) return null;
      limits.push(at);
      continue;
    }
    if (kind === 'introduced' && raw === '0') {
      bounds.push({ kind, raw, at: null });
      continue;
    }
    const at = scheme.parse(raw);
    if (at === null) return null;
    bounds.push({ kind, raw, at });
  }
  // Array.prototype.sort is stable, so events at the same version keep the advisory's order.
  bounds.sort((a, b) =>
    a.at === null ? (b.at === null ? 0 : -1) : b.at === null ? 1 : scheme.compare(a.at, b.at),
  );
  return { scheme, bounds, limits, fixed: bounds.filter((b) => b.kind === 'fixed') };
}

function eventEntry(event: OsvEvent): [EventKind | 'limit', string] | null {
  for (const kind of EVENT_KINDS) if (typeof event[kind] === 'string') return [kind, event[kind]];
  return typeof event.limit === 'string' ? ['limit', event.limit] : null;
}

/** The OSV evaluation of one range: walk the sorted events up to the version. */
function rangeContains(range: CompiledRange, version: unknown): boolean {
  const { scheme } = range;
  if (range.limits.length > 0 && !range.limits.some((limit) => scheme.compare(version, limit) < 0)) {
    return false;
  }
  let affected = false;
  for (const bound of range.bounds) {
    if (bound.at === null) {
      affected = true;
      continue;
    }
    const order = scheme.compare(version, bound.at);
    if (order < 0) break;
    if (bound.kind === 'introduced') affected = true;
    else if (bound.kind === 'fixed') affected = false;
    else if (order > 0) affected = false;
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
  let listedKeys: Set<string> | null = null;
  const listedKeySet = (): Set<string> => {
    if (!listedKeys) {
      listedKeys = new Set();
      for (const v of listed) {
        const parsed = listScheme?.parse(v) ?? null;
        if (parsed !== null) listedKeys.add(listScheme!.key(parsed));
      }
    }
    return listedKeys;
  };

  const inList = (version: string): boolean => {
    if (listed.has(version)) return true;
    if (!listScheme || listed.size === 0) return false;
    const parsed = listScheme.parse(version);
    return parsed !== null && listedKeySet().has(listScheme.key(parsed));
  };

  /**
   * Walks the ranges once: whether one contains `version` and the lowest `fixed` above it among
   * those that do (`all`: among every range, for a version only the `versions` list names).
   * The version is parsed once per scheme (ranges of one entry nearly always share one), without
   * the per-call maps and lists this loop runs too often for.
   */
  const walk = (version: string, all: boolean): { hit: boolean; fixed: string | null } => {
    let scheme: AnyVersionScheme | null = null;
    let parsed: unknown = null;
    let hit = false;
    let best: Bound | null = null;
    let bestScheme: AnyVersionScheme | null = null;
    for (const range of ranges) {
      if (range.scheme !== scheme) {
        scheme = range.scheme;
        parsed = scheme.parse(version);
      }
      if (parsed === null) continue;
      if (!all) {
        if (!rangeContains(range, parsed)) continue;
        hit = true;
      }
      for (const bound of range.fixed) {
        if (range.scheme.compare(bound.at, parsed) <= 0) continue;
        if (!best || (bestScheme === range.scheme && range.scheme.compare(bound.at, best.at) < 0)) {
          best = bound;
          bestScheme = range.scheme;
        }
      }
    }
    return { hit, fixed: best?.raw ?? null };
  };
  const contains = (version: string): boolean => {
    let scheme: AnyVersionScheme | null = null;
    let parsed: unknown = null;
    for (const range of ranges) {
      if (range.scheme !== scheme) {
        scheme = range.scheme;
        parsed = scheme.parse(version);
      }
      if (parsed !== null && rangeContains(range, parsed)) return true;
    }
    return false;
  };

  return {
    skippedRanges,
    matches(version) {
      if (listed.has(version)) return true;
      return contains(version) || inList(version);
    },
    fixedVersion(version) {
      const found = walk(version, false);
      if (found.hit) return found.fixed;
      return inList(version) ? walk(version, true).fixed : null;
    },
    check(version) {
      const found = walk(version, false);
      if (found.hit) return { fixedVersion: found.fixed };
      if (inList(version)) return { fixedVersion: walk(version, true).fixed };
      return null;
    },
  };
}
