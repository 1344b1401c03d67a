import type { Severity as WireSeverity } from '../api/vulnerabilities.js';

/** Gate levels, lowest first. `unknown` is not a level: settings say which level it counts as. */
export const LEVELS = ['low', 'medium', 'high', 'critical'] as const;

/** A severity level the gate can compare. */
export type Level = (typeof LEVELS)[number];

/** A finding's severity as reported: a level, or `unknown` when the advisory has no rating. */
export type Severity = Level | 'unknown';

/** Every severity, highest first: the order reports list them in. */
export const SEVERITIES_DESCENDING: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'unknown'];

/** The `fail-on` setting: the lowest level that fails the gate, or `none` to fail on no level. */
export type FailOn = Level | 'none';

/** Accepted values of `fail-on`, in the order messages list them. */
export const FAIL_ON_VALUES: readonly FailOn[] = ['critical', 'high', 'medium', 'low', 'none'];

/** Number of findings per severity. */
export type SeverityCounts = Record<Severity, number>;

/** Counts with every severity at zero. */
export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}

/** Adds `b` into `a` and returns `a`. */
export function addCounts(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  for (const s of SEVERITIES_DESCENDING) a[s] += b[s];
  return a;
}

/** Whether `level` is at or above `threshold`. */
export function isAtLeast(level: Level, threshold: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(threshold);
}

/** Maps the API's capitalised severity to the gate's lower-case one. */
export function severityFromWire(wire: WireSeverity | string): Severity {
  const s = wire.toLowerCase();
  return (LEVELS as readonly string[]).includes(s) ? (s as Level) : 'unknown';
}

/** Capitalised label for reports: `Critical`, `High`, … */
export function severityLabel(s: Severity): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
