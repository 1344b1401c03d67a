import correctLicense from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';

/** Outcome of a license check. `not-checked` when no license is denied. */
export type LicenseStatus = 'allowed' | 'denied' | 'unknown' | 'not-checked';

/** What the license rules made of a package's license. */
export interface LicenseCheck {
  status: LicenseStatus;
  /** The license as the package declares it; null when it declares none. */
  declared: string | null;
  /** The SPDX expression judged, when it differs from the declared text (free text read as SPDX). */
  interpreted?: string;
  /** Deny-list ids the expression could not avoid (set when `denied`). */
  denied: string[];
}

// Values that say "no license information" rather than naming a license. npm's UNLICENSED means
// "no permission granted", which is not an SPDX id (spdx-correct would misread it as Unlicense).
const NO_LICENSE = new Set(['', 'NOASSERTION', 'NONE', 'UNKNOWN', 'UNLICENSED', 'SEE LICENSE IN LICENSE']);

/**
 * Comparable form of an SPDX id: case-insensitive and without the version-range suffixes
 * (`+`, `-only`, `-or-later`), so denying `GPL-3.0` also denies `GPL-3.0-only` and `GPL-3.0+`.
 */
export function licenseFamily(id: string): string {
  return id
    .trim()
    .replace(/\+$/, '')
    .replace(/-(only|or-later)$/i, '')
    .toLowerCase();
}

type Node = parseSpdx.Info;

/** Whether some choice within the expression avoids every denied license; collects the denied ids met. */
function evaluate(node: Node, deny: Map<string, string>, met: Set<string>): boolean {
  if ('conjunction' in node) {
    const left = evaluate(node.left, deny, met);
    const right = evaluate(node.right, deny, met);
    return node.conjunction === 'or' ? left || right : left && right;
  }
  const hit = deny.get(licenseFamily(node.license));
  if (hit !== undefined) met.add(hit);
  return hit === undefined;
}

/** Parses a declared license as SPDX, correcting common free-text spellings ("Apache 2.0"). */
function readExpression(declared: string): { node: Node; interpreted?: string } | undefined {
  try {
    return { node: parseSpdx(declared) };
  } catch {
    const corrected = correctLicense(declared);
    if (!corrected) return undefined;
    try {
      return { node: parseSpdx(corrected), interpreted: corrected };
    } catch {
      return undefined;
    }
  }
}

/**
 * Judges a package's license against the deny list. `MIT OR GPL-3.0` is allowed when only
 * GPL-3.0 is denied (the user may choose MIT); `MIT AND GPL-3.0` is not.
 */
export function checkLicense(
  license: string | null | undefined,
  denyLicenses: readonly string[],
): LicenseCheck {
  const declared = license?.trim() ? license.trim() : null;
  if (denyLicenses.length === 0) return { status: 'not-checked', declared, denied: [] };
  if (declared === null || NO_LICENSE.has(declared.toUpperCase())) {
    return { status: 'unknown', declared, denied: [] };
  }
  const read = readExpression(declared);
  if (!read) return { status: 'unknown', declared, denied: [] };
  const deny = new Map(denyLicenses.map((id) => [licenseFamily(id), id]));
  const met = new Set<string>();
  const allowed = evaluate(read.node, deny, met);
  return {
    status: allowed ? 'allowed' : 'denied',
    declared,
    ...(read.interpreted ? { interpreted: read.interpreted } : {}),
    denied: allowed ? [] : [...met],
  };
}

/**
 * Checks that a deny-list entry is an SPDX license id (or a `LicenseRef-`); returns an error
 * message naming the entry, with a suggestion when one is known, or undefined when it is fine.
 */
export function describeInvalidLicenseId(id: string): string | undefined {
  try {
    const node = parseSpdx(id);
    if (!('conjunction' in node) && !node.exception) return undefined;
    return `"${id}" is an expression; list single SPDX license ids`;
  } catch {
    const suggestion = correctLicense(id);
    return suggestion
      ? `"${id}" is not an SPDX license id (did you mean ${suggestion}?)`
      : `"${id}" is not an SPDX license id`;
  }
}
