import { describeInvalidLicenseId } from './licenses.js';

// Apart from the other input parsers (parse-inputs.ts): the SPDX license list it checks against
// is large, and only a job that sets deny-licenses needs it.

/** `deny-licenses`: SPDX license ids separated by commas, spaces or new lines. */
export function parseLicenseList(text: string, name = 'deny-licenses'): string[] {
  const ids = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const problems = ids.map(describeInvalidLicenseId).filter((p): p is string => p !== undefined);
  if (problems.length) {
    throw new Error(
      `${name}: ${problems.join('; ')}. List SPDX license ids (e.g. GPL-3.0-only, AGPL-3.0-or-later) separated by commas or new lines.`,
    );
  }
  return [...new Set(ids)];
}
