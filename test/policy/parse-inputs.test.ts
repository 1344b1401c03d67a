import {
  parseBoolean,
  parseCount,
  parseDuration,
  parseFailOn,
  parseOnFailure,
  parseUnknownSeverity,
} from '../../src/policy/parse-inputs.js';
import { parseLicenseList } from '../../src/policy/parse-licenses.js';

describe('parseFailOn', () => {
  it.each([
    ['critical', 'critical'],
    ['High', 'high'],
    [' medium ', 'medium'],
    ['LOW', 'low'],
    ['none', 'none'],
  ])('reads %p as %p', (text, level) => {
    expect(parseFailOn(text)).toBe(level);
  });

  it('names the input and lists the accepted levels for anything else', () => {
    expect(() => parseFailOn('severe')).toThrow(
      'fail-on: "severe" is not a severity level; use one of critical, high, medium, low, none.',
    );
    expect(() => parseFailOn('', 'fail_on')).toThrow(/^fail_on: "" is not a severity level/);
  });
});

describe('parseUnknownSeverity', () => {
  it('reads a level or ignore', () => {
    expect(parseUnknownSeverity('High')).toBe('high');
    expect(parseUnknownSeverity('ignore')).toBe('ignore');
  });

  it('lists the accepted values', () => {
    expect(() => parseUnknownSeverity('none')).toThrow(
      'unknown-severity: "none" is not accepted; use one of critical, high, medium, low, ignore.',
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['0', 0],
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1h 30m 15s', 5415],
    ['2M', 120],
  ])('reads %p as %p seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'ten minutes', '10 minutes', '1.5h', '-5', '30m1h', 'h', '5d'])(
    'refuses %p naming the input and the accepted forms',
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        `wait-timeout: "${text}" is not a duration; use seconds (90) or a duration such as 90s, 10m, 1h30m.`,
      );
    },
  );
});

describe('parseBoolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['off', false],
    ['0', false],
  ])('reads %p as %p', (text, value) => {
    expect(parseBoolean(text, 'ignore-unfixed')).toBe(value);
  });

  it('gives the fallback for an empty value', () => {
    expect(parseBoolean('', 'comment', true)).toBe(true);
    expect(parseBoolean('  ', 'comment')).toBe(false);
  });

  it('names the input and the accepted forms', () => {
    expect(() => parseBoolean('maybe', 'ignore-unfixed')).toThrow(
      'ignore-unfixed: "maybe" is not a boolean; use true or false (also yes/no, on/off, 1/0).',
    );
  });
});

describe('parseCount and parseOnFailure', () => {
  it('reads whole numbers, and empty as no limit', () => {
    expect(parseCount('3', 'max-high')).toBe(3);
    expect(parseCount('0', 'max-high')).toBe(0);
    expect(parseCount('', 'max-high')).toBeUndefined();
  });

  it.each(['-1', '2.5', 'three'])('refuses the count %p', (text) => {
    expect(() => parseCount(text, 'max-high')).toThrow(
      `max-high: "${text}" is not a count; use a whole number of 0 or more, or leave it empty for no limit.`,
    );
  });

  it('reads fail or pass and refuses anything else', () => {
    expect(parseOnFailure('PASS', 'on-timeout')).toBe('pass');
    expect(parseOnFailure('fail', 'on-scan-error')).toBe('fail');
    expect(() => parseOnFailure('warn', 'on-timeout')).toThrow(
      'on-timeout: "warn" is not accepted; use fail or pass.',
    );
  });
});

describe('parseLicenseList', () => {
  it('splits on commas, spaces and new lines, dropping repeats', () => {
    expect(parseLicenseList('GPL-3.0-only, AGPL-3.0-only\nGPL-3.0-only  LicenseRef-Proprietary')).toEqual([
      'GPL-3.0-only',
      'AGPL-3.0-only',
      'LicenseRef-Proprietary',
    ]);
    expect(parseLicenseList('')).toEqual([]);
  });

  it('names ids that are not SPDX ids and suggests the right one', () => {
    expect(() => parseLicenseList('MIT, GPLv3')).toThrow(
      /^deny-licenses: "GPLv3" is not an SPDX license id \(did you mean GPL-3\.0-or-later\?\)\. List SPDX license ids/,
    );
    expect(() => parseLicenseList('Zorro-License')).toThrow(/"Zorro-License" is not an SPDX license id\./);
  });
});
