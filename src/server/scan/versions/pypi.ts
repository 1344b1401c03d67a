import { parse } from '@renovatebot/pep440';
import { END, HIGH, LOW, MID, numberKey } from './order-key.js';
import type { VersionScheme } from './scheme.js';

/** What the library's `parse` returns (its type declarations describe `explain`'s result instead). */
interface ParsedPep440 {
  epoch: number;
  release: number[];
  pre: [string, number] | null;
  post: [string, number] | null;
  dev: [string, number] | null;
  local: (string | number)[] | null;
}

type KeyPart = number | string | KeyPart[];

/** A version string that PEP 440 accepts, with the key it sorts by. */
export interface Pep440Version {
  text: string;
  sortKey: KeyPart[];
  /** The sort key as text, made when first asked for. */
  key?: string;
  /** The order key (see order-key.ts), made when first asked for. */
  order?: string;
}

/**
 * The sort key PEP 440 defines (the library's own `compare` builds the same key on every call;
 * building it once per version keeps matching thousands of components fast).
 */
function sortKeyOf(v: ParsedPep440): KeyPart[] {
  const release = [...v.release];
  // Trailing zeros do not count: 1.0 == 1.0.0.
  while (release.length > 0 && release[release.length - 1] === 0) release.pop();
  // 1.0.dev0 sorts before 1.0a0; a final release after its pre-releases; post-releases after it.
  const pre: KeyPart = v.pre ?? (!v.post && v.dev ? -Infinity : Infinity);
  const post: KeyPart = v.post ?? -Infinity;
  const dev: KeyPart = v.dev ?? Infinity;
  // Alphanumeric local segments sort before numeric ones, numeric ones numerically.
  const local: KeyPart = v.local
    ? v.local.map((part) => (typeof part === 'number' ? [part, ''] : [-Infinity, part]))
    : -Infinity;
  return [v.epoch, release, pre, post, dev, local];
}

/** Python's ordering of nested tuples, as PEP 440's key comparison relies on. */
function compareKeys(a: KeyPart, b: KeyPart): number {
  if (a === b) return 0;
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : [a];
    const y = Array.isArray(b) ? b : [b];
    const len = Math.min(x.length, y.length);
    for (let i = 0; i < len; i++) {
      const order = compareKeys(x[i]!, y[i]!);
      if (order !== 0) return order;
    }
    return x.length - y.length;
  }
  if (a === -Infinity || b === Infinity) return -1;
  if (a === Infinity || b === -Infinity) return 1;
  return a < b ? -1 : 1;
}

function keyText(part: KeyPart): string {
  if (Array.isArray(part)) return `(${part.map(keyText).join(',')})`;
  return part === Infinity
    ? '+'
    : part === -Infinity
      ? '-'
      : typeof part === 'string'
        ? `'${part}`
        : String(part);
}

/** A `[letter, number]` segment (pre, post or dev) or one of the ±Infinity stand-ins of a missing one. */
function segmentKey(part: KeyPart): string {
  if (part === -Infinity) return LOW;
  if (part === Infinity) return HIGH;
  const [letter, n] = part as [string, number];
  return MID + letter + END + numberKey(n);
}

/**
 * The PEP 440 sort key (see {@link sortKeyOf}) as an order key: epoch; release numbers, a
 * shorter list first; pre, post and dev segments, a missing one standing below or above a
 * present one as the sort key's ±Infinity says; local segments, text ones before numbers.
 */
function orderKeyOf(sortKey: KeyPart[]): string {
  const [epoch, release, pre, post, dev, local] = sortKey as [
    number,
    number[],
    KeyPart,
    KeyPart,
    KeyPart,
    KeyPart,
  ];
  let key = numberKey(epoch);
  for (const n of release) key += LOW + numberKey(n);
  key += END + segmentKey(pre) + segmentKey(post) + segmentKey(dev);
  if (local === -Infinity) return key + LOW;
  key += MID;
  for (const part of local as [number | typeof Infinity, string][]) {
    key += part[0] === -Infinity ? LOW + part[1] + END : MID + numberKey(part[0]);
  }
  return key + END;
}

/**
 * Python package versions under PEP 440 (epochs, pre/post/dev releases, local versions), as
 * pip orders them; parsed by `@renovatebot/pep440`.
 */
export const pypiVersions: VersionScheme<Pep440Version> = {
  name: 'PyPI',
  parse(version: string): Pep440Version | null {
    const text = version.trim();
    let parsed: ParsedPep440 | null;
    try {
      // The declared return type is wrong (see ParsedPep440); the value is the parsed segments.
      parsed = parse(text) as unknown as ParsedPep440 | null;
    } catch {
      return null;
    }
    if (!parsed) return null;
    return { text, sortKey: sortKeyOf(parsed) };
  },
  compare: (a, b) => compareKeys(a.sortKey, b.sortKey),
  key: (v) => (v.key ??= keyText(v.sortKey)),
  orderKey: (v) => (v.order ??= orderKeyOf(v.sortKey)),
};
