import parseSpdx from 'spdx-expression-parse';

/** The license text when it is a valid SPDX expression (e.g. `MIT OR Apache-2.0`), else null. */
export function spdxOrNull(license: string): string | null {
  const text = license.trim();
  if (!text) return null;
  try {
    parseSpdx(text);
    return text;
  } catch {
    return null;
  }
}
