/**
 * Codecs for the JSON text columns: the store hands its callers parsed values and takes parsed
 * values, so no caller ever sees or writes the text. Reading is lenient where a damaged value has
 * a safe reading, and says which reading it chose.
 */

import type { PromotionRules } from '../../api/repos.js';

/** A JSON object read from text; null when the text is empty, does not parse or is not an object. */
export function decodeObject(text: string | null | undefined): Record<string, unknown> | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    // A row written by hand (or by an older version) with broken text still reads.
    return null;
  }
}

/** The text a JSON object column stores. */
export function encodeObject(value: Record<string, unknown>): string {
  return JSON.stringify(value);
}

/** The text of a nullable JSON object column. */
export function encodeNullableObject(value: Record<string, unknown> | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/**
 * A repository's stored promotion rules: `{}` when there are none, non-string values dropped. Text
 * that does not parse reads as a rule nothing can satisfy, so damage never opens the door.
 */
export function decodePromotionRules(text: string | null | undefined): PromotionRules {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
  } catch {
    return { issuer: '\u0000unreadable promotion rules' };
  }
}
