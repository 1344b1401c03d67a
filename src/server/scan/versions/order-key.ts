/**
 * Order keys: a version turned into a string whose code-unit order (`<`, `===`) is the order of
 * its scheme. Matching compares a component's version against many range bounds; with each bound
 * keyed once when advisories are loaded and the component keyed once per scan, every comparison
 * is one native string comparison instead of a walk over parsed parts.
 *
 * Layout: structural markers are control characters below every character a version part may
 * hold, so a part that ends sorts before one that goes on; a number is its digit count (as one
 * character) then its digits, so longer numbers sort after shorter ones.
 */

/** Ends a list or a text part: sorts before anything that continues it. */
export const END = '\u0000';
/** Markers for the alternatives at one position, in increasing order. */
export const LOW = '\u0001';
export const MID = '\u0002';
export const HIGH = '\u0003';

/** Digit counts start here, above every marker; past 16-bit digit counts cannot occur (a double has at most 309). */
const DIGITS_BASE = 0x40;

/** Digits of a number that the schemes hold as a double; integral but possibly past 2^53. */
function digitsOf(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  // Past 2^53 the schemes compare the rounded doubles; their exact integer value orders the same.
  return BigInt(n).toString();
}

/**
 * A non-negative integer as an order key: its digit count, then its digits. Infinity (a PEP 440
 * segment too long for a double) sorts after every finite number, and equal to itself.
 */
export function numberKey(n: number): string {
  if (!Number.isFinite(n)) return String.fromCharCode(DIGITS_BASE + 400);
  const digits = digitsOf(n);
  return String.fromCharCode(DIGITS_BASE + digits.length) + digits;
}

/** A decimal digit string as node-semver compares it (as a double), as an order key. */
export function numericTextKey(text: string): string {
  return numberKey(Number(text));
}
