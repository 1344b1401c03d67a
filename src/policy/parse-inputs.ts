import type { OnFailure, UnknownSeverity } from './settings.js';
import { FAIL_ON_VALUES, LEVELS, type FailOn } from './severity.js';

/**
 * Parsers for the gate's settings in their text form (action inputs, CLI flags). Each takes the
 * setting's name so its error names the input and lists the accepted forms.
 */

/** `fail-on`: critical, high, medium, low or none (any case). */
export function parseFailOn(text: string, name = 'fail-on'): FailOn {
  const value = text.trim().toLowerCase();
  if ((FAIL_ON_VALUES as readonly string[]).includes(value)) return value as FailOn;
  throw new Error(`${name}: "${text}" is not a severity level; use one of ${FAIL_ON_VALUES.join(', ')}.`);
}

/** `unknown-severity`: a level (low, medium, high, critical) to count unknown findings as, or ignore. */
export function parseUnknownSeverity(text: string, name = 'unknown-severity'): UnknownSeverity {
  const value = text.trim().toLowerCase();
  if (value === 'ignore' || (LEVELS as readonly string[]).includes(value)) return value as UnknownSeverity;
  throw new Error(
    `${name}: "${text}" is not accepted; use one of ${[...LEVELS].reverse().join(', ')}, ignore.`,
  );
}

/** `on-timeout`, `on-scan-error`, `on-incomplete`, `unknown-license`: fail or pass. */
export function parseOnFailure(text: string, name: string): OnFailure {
  const value = text.trim().toLowerCase();
  if (value === 'fail' || value === 'pass') return value;
  throw new Error(`${name}: "${text}" is not accepted; use fail or pass.`);
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

/** A boolean input: true/false, yes/no, on/off or 1/0 (any case); empty gives `fallback`. */
export function parseBoolean(text: string, name: string, fallback = false): boolean {
  const value = text.trim().toLowerCase();
  if (value === '') return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new Error(`${name}: "${text}" is not a boolean; use true or false (also yes/no, on/off, 1/0).`);
}

/** A count limit such as `max-high`: a whole number from 0; empty means no limit (undefined). */
export function parseCount(text: string, name: string): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  throw new Error(
    `${name}: "${text}" is not a count; use a whole number of 0 or more, or leave it empty for no limit.`,
  );
}

const DURATION = /^(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/;
const DURATION_FORMS = 'use seconds (90) or a duration such as 90s, 10m, 1h30m';

/** A duration such as `wait-timeout`: plain seconds (`90`) or hours/minutes/seconds (`1h30m`, `10m`, `90s`) → seconds. */
export function parseDuration(text: string, name = 'wait-timeout'): number {
  const value = text.trim().toLowerCase();
  if (/^\d+$/.test(value)) return Number(value);
  const m = DURATION.exec(value);
  if (value === '' || !m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) {
    throw new Error(`${name}: "${text}" is not a duration; ${DURATION_FORMS}.`);
  }
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const AGE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const AGE_FORMS =
  'use a number with a unit: d (days), h (hours), m (minutes) or s (seconds), such as 7d, 36h, 90m or 1d12h';

/**
 * `max-advisory-age`: a duration with units (`7d`, `36h`, `90m`, `1d12h`) → seconds. A bare
 * number is refused: seconds and days are both plausible readings, and a wrong guess either
 * fails every build or accepts months-old advisory data.
 */
export function parseAge(text: string, name = 'max-advisory-age'): number {
  const value = text.trim().toLowerCase().replace(/\s+/g, '');
  const m = AGE.exec(value);
  if (value === '' || !m || m.slice(1).every((part) => part === undefined)) {
    throw new Error(`${name}: "${text}" is not a duration; ${AGE_FORMS}.`);
  }
  const [d, h, min, sec] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number];
  const seconds = d * 86400 + h * 3600 + min * 60 + sec;
  if (!Number.isSafeInteger(seconds)) throw new Error(`${name}: "${text}" is too long; ${AGE_FORMS}.`);
  if (seconds === 0) {
    throw new Error(`${name}: "${text}" allows no age at all, so every scan would fail; ${AGE_FORMS}.`);
  }
  return seconds;
}
