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

/** Whether a sorted list of distinct strings holds `key`. */
function sortedHas(sorted: readonly string[], key: string): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = sorted[mid]!;
    if (at === key) return true;
    if (at < key) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/**
 * An entry's `versions` list: a version is in it by exact string or, when both parse, by
 * version equality. Held as given until first asked; from then on as the sorted order keys of
 * the versions that parse (a version that parses matches by key, which exact equality implies)
 * and the few that do not, as text. PyPI entries list every affected release, so this is most of
 * what a compiled entry holds.
 */
class ListedVersions {
  private given: readonly string[] | null;
  private keys: string[] | null = null;
  private unparsed: string[] = [];

  constructor(
    versions: readonly string[],
    private readonly scheme: AnyVersionScheme | null,
  ) {
    this.given = versions.length > 0 ? versions : null;
  }

  has(version: VersionKeys): boolean {
    if (this.given === null && this.keys === null) return false;
    if (!this.scheme) return this.given!.includes(version.text);
    if (!this.keys) this.index(this.scheme, this.given!);
    const key = version.keyFor(this.scheme);
    return key === null ? this.unparsed.includes(version.text) : sortedHas(this.keys!, key);
  }

  private index(scheme: AnyVersionScheme, versions: readonly string[]): void {
    const keys = new Set<string>();
    for (const v of versions) {
      const key = keyOf(scheme, v);
      if (key === null) this.unparsed.push(v);
      else keys.add(key);
    }
    this.keys = [...keys].sort();
    this.given = null;
  }
}

/** A compiled affected entry: ranges as sorted order keys, and the versions list. */
class CompiledAffected implements AffectedMatcher {
  constructor(
    private readonly ranges: readonly CompiledRange[],
    private readonly listed: ListedVersions,
    readonly skippedRanges: number,
  ) {}

  matches(version: string): boolean {
    const keys = new VersionKeys(version);
    for (const range of this.ranges) {
      const key = keys.keyFor(range.scheme);
      if (key !== null && rangeContains(range, key)) return true;
    }
    return this.listed.has(keys);
  }

  fixedVersion(version: string): string | null {
    return this.check(version)?.fixedVersion ?? null;
  }

  check(version: string | VersionKeys): { fixedVersion: string | null } | null {
    const keys = typeof version === 'string' ? new VersionKeys(version) : version;
    const found = this.walk(keys, false);
    if (found !== false) return { fixedVersion: found };
    if (this.listed.has(keys)) return { fixedVersion: this.walk(keys, true) || null };
    return null;
  }

  /**
   * Walks the ranges once: false when none contains `version`, else the lowest `fixed` above it
   * among those that do, or null (`all`: among every range, for a version only the `versions`
   * list names).
   */
  private walk(version: VersionKeys, all: boolean): string | null | false {
    let hit = all;
    let best: Bound | null = null;
    let bestScheme: AnyVersionScheme | null = null;
    for (const range of this.ranges) {
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
    return hit ? (best?.raw ?? null) : false;
  }
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
  return new CompiledAffected(ranges, new ListedVersions(affected.versions ?? [], listScheme), skippedRanges);
}
