import type { Finding } from './findings.js';

/** One accepted finding: an advisory id or alias, optionally limited to a package, optionally expiring. */
export interface AllowlistEntry {
  /** 0-based position in the allowlist; reports name entries by it (1-based). */
  index: number;
  /** Advisory id or any of its aliases (`CVE-…`, `GHSA-…`), compared case-insensitively. */
  id: string;
  /**
   * Limits the entry to a package: either the pushed package or the vulnerable component,
   * by name and, when given, exact version.
   */
  package?: { name: string; version?: string };
  /** `YYYY-MM-DD` (applies through that day, UTC) or an ISO 8601 date-time with a zone. */
  expires?: string;
  /** Why the finding is accepted; shown wherever the entry takes effect. */
  reason?: string;
}

/** The package a finding belongs to, as allowlist matching needs it. */
export interface PackageRef {
  name: string;
  version: string;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

function isRealDate(y: string, m: string, d: string): boolean {
  const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(m) - 1 && t.getUTCDate() === Number(d)
  );
}

/**
 * The instant (epoch ms) from which an `expires` value no longer applies, or undefined when the
 * text is not an accepted date. A bare date runs to the end of that day in UTC.
 */
export function expiryInstant(expires: string): number | undefined {
  const text = expires.trim();
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) {
    const [, y, m, d] = dateOnly;
    if (!isRealDate(y, m, d)) return undefined;
    return Date.UTC(Number(y), Number(m) - 1, Number(d)) + DAY_MS;
  }
  const dateTime = DATE_TIME.exec(text);
  if (dateTime) {
    const [, y, m, d, hh, mm, ss] = dateTime;
    if (!isRealDate(y, m, d) || Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59) return undefined;
    const at = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(at) ? undefined : at;
  }
  return undefined;
}

/** Whether the entry has expired at `now`. Entries without `expires` never do. */
export function isExpired(entry: AllowlistEntry, now: Date): boolean {
  if (entry.expires === undefined) return false;
  const at = expiryInstant(entry.expires);
  // An unreadable date cannot be honoured, so the entry is treated as expired rather than forever valid.
  return at === undefined || now.getTime() >= at;
}

/** Package names compare the way registries do: case-insensitive, with `-`, `_` and `.` alike. */
function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

/** Whether the entry covers this finding of this package (ignoring expiry). */
export function entryMatches(entry: AllowlistEntry, pkg: PackageRef, finding: Finding): boolean {
  const wanted = entry.id.trim().toUpperCase();
  const ids = [finding.id, ...finding.aliases];
  if (!ids.some((id) => id.trim().toUpperCase() === wanted)) return false;
  if (!entry.package) return true;
  const { name, version } = entry.package;
  const scoped = normaliseName(name);
  const onPackage = normaliseName(pkg.name) === scoped && (version === undefined || version === pkg.version);
  const onComponent =
    normaliseName(finding.component) === scoped &&
    (version === undefined || version === finding.installedVersion);
  return onPackage || onComponent;
}

/** `CVE-1 (lodash@4.17.20)` — how reports name an entry. */
export function describeEntry(entry: AllowlistEntry): string {
  if (!entry.package) return entry.id;
  const pkg = entry.package.version ? `${entry.package.name}@${entry.package.version}` : entry.package.name;
  return `${entry.id} (${pkg})`;
}
