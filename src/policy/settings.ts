import type { AllowlistEntry } from './allowlist.js';
import type { FailOn, Level } from './severity.js';

/** What to do when something keeps the gate from judging (a scan that timed out, failed or was incomplete, an unknown license). */
export type OnFailure = 'fail' | 'pass';

/** How `Unknown` severity counts: as one of the levels, or not at all. */
export type UnknownSeverity = Level | 'ignore';

/**
 * The gate's rules. Everything found is always reported; only these rules decide what fails.
 * Per-level limits apply to each package on its own.
 */
export interface GateSettings {
  /** Lowest level that fails the gate (any finding at or above it), or `none`. */
  failOn: FailOn;
  /** Critical findings allowed per package; overrides `failOn` for that level. */
  maxCritical?: number;
  /** High findings allowed per package; overrides `failOn` for that level. */
  maxHigh?: number;
  /** Medium findings allowed per package; overrides `failOn` for that level. */
  maxMedium?: number;
  /** Low findings allowed per package; overrides `failOn` for that level. */
  maxLow?: number;
  /** Findings with no fixed version are shown but never fail the gate. */
  ignoreUnfixed: boolean;
  /** The level findings of unknown severity count as, or `ignore`. */
  unknownSeverity: UnknownSeverity;
  /** Accepted findings; expired entries stop applying. */
  allowlist: AllowlistEntry[];
  /** SPDX license ids a package may not be licensed under (an `OR` passes if any branch is allowed). */
  denyLicenses: string[];
  /** When `denyLicenses` is set and a package's license is missing or unreadable. */
  unknownLicense: OnFailure;
  /** When the repository's scan did not finish before the wait timeout. */
  onTimeout: OnFailure;
  /** When the repository's scan failed. */
  onScanError: OnFailure;
  /**
   * Oldest advisory data (seconds since its last sync or import) an ecosystem the package needs
   * may have; older or never-loaded data makes the scan incomplete.
   */
  maxAdvisoryAgeSec: number;
  /** When the scan is incomplete: components not evaluated, a scan limit hit, stale or missing advisory data. */
  onIncomplete: OnFailure;
}

/** The documented default of `max-advisory-age`: a week. */
export const DEFAULT_MAX_ADVISORY_AGE = '7d';

/** The defaults the actions and the CLI document: fail on high or worse, fail closed. */
export const DEFAULT_GATE_SETTINGS: Readonly<GateSettings> = Object.freeze({
  failOn: 'high',
  ignoreUnfixed: false,
  unknownSeverity: 'ignore',
  allowlist: [],
  denyLicenses: [],
  unknownLicense: 'pass',
  onTimeout: 'fail',
  onScanError: 'fail',
  maxAdvisoryAgeSec: 7 * 24 * 3600,
  onIncomplete: 'fail',
});

/** Gate settings from the defaults overlaid with `overrides`. */
export function resolveGateSettings(overrides: Partial<GateSettings> = {}): GateSettings {
  const merged: GateSettings = { ...DEFAULT_GATE_SETTINGS, allowlist: [], denyLicenses: [] };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** The `max-*` limit configured for a level, if any. */
export function maxFor(settings: GateSettings, level: Level): number | undefined {
  switch (level) {
    case 'critical':
      return settings.maxCritical;
    case 'high':
      return settings.maxHigh;
    case 'medium':
      return settings.maxMedium;
    case 'low':
      return settings.maxLow;
  }
}
