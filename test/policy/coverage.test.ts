import { readCoverage, type ScanCoverage } from '../../src/policy/coverage.js';
import { evaluateGate } from '../../src/policy/gate.js';
import { parseAge } from '../../src/policy/parse-inputs.js';
import { finding, NOW, pkg, settings } from './builders.js';

const DAY = 86400 * 1000;

/** `days` before the fixed instant the tests judge at, as the repository sends it. */
function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * DAY).toISOString();
}

/** A complete coverage report of `components` npm components against advisory data a day old. */
function coverage(overrides: Partial<ScanCoverage> = {}, components = 4212): ScanCoverage {
  return {
    complete: true,
    evaluated: components,
    notEvaluated: 0,
    notEvaluatedComponents: [],
    limitReached: null,
    ecosystems: [
      {
        ecosystem: 'npm',
        components,
        evaluated: components,
        advisories: 3412,
        advisoriesUpdatedAt: daysAgo(1),
      },
    ],
    ...overrides,
  };
}

/** The sequelize story: a lock file pinning sequelize 3.23.5 on a server that never loaded an advisory. */
const EMPTY_DATABASE: ScanCoverage = {
  complete: false,
  evaluated: 0,
  notEvaluated: 1,
  notEvaluatedComponents: [
    {
      ecosystem: 'npm',
      name: 'sequelize',
      version: '3.23.5',
      reason: 'no_advisory_data',
      detail: 'the repository holds no npm advisories',
      location: { path: 'package-lock.json', line: 12 },
    },
  ],
  limitReached: null,
  ecosystems: [{ ecosystem: 'npm', components: 1, evaluated: 0, advisories: 0, advisoriesUpdatedAt: null }],
};

const UNPARSEABLE: ScanCoverage = {
  complete: false,
  evaluated: 40,
  notEvaluated: 2,
  notEvaluatedComponents: [
    {
      ecosystem: 'PyPI',
      name: 'foo',
      version: '2.0.0-final',
      reason: 'unparseable_version',
      detail: "PyPI version '2.0.0-final' is not a valid PEP 440 version",
    },
    {
      ecosystem: 'PyPI',
      name: 'bar',
      version: 'latest',
      reason: 'unparseable_version',
      detail: "PyPI version 'latest' is not a valid PEP 440 version",
    },
  ],
  limitReached: null,
  ecosystems: [
    { ecosystem: 'PyPI', components: 42, evaluated: 40, advisories: 900, advisoriesUpdatedAt: daysAgo(2) },
  ],
};

describe('the gate on a scan that knew nothing', () => {
  it('fails a package whose every component went unevaluated on an empty advisory database, even with no findings', () => {
    const verdict = evaluateGate([pkg({ coverage: EMPTY_DATABASE })], settings(), NOW);
    expect(verdict.result).toBe('fail');
    expect(verdict.reasons).toEqual([
      'web-app 2.1.0: npm: advisory data never loaded, so 1 of 1 component was not evaluated — run `airlock-server advisories sync` on the repository service.',
    ]);
    expect(verdict.packages[0]!.coverage).toMatchObject({
      status: 'incomplete',
      evaluated: 0,
      notEvaluated: 1,
    });
    expect(verdict.coverage).toEqual({ reported: 1, evaluated: 0, notEvaluated: 1, incomplete: 1 });
  });

  it('passes it with on-incomplete pass, and the pass says what it rests on', () => {
    const verdict = evaluateGate(
      [pkg({ coverage: EMPTY_DATABASE })],
      settings({ onIncomplete: 'pass' }),
      NOW,
    );
    expect(verdict.result).toBe('pass');
    expect(verdict.reasons[1]).toBe(
      'The scan of web-app 2.1.0 was incomplete (see its coverage); it passes only because on-incomplete is pass.',
    );
    expect(verdict.notes[0]).toMatch(
      /^web-app 2\.1\.0: npm: advisory data never loaded.*; it passes only because on-incomplete is pass\.$/,
    );
  });
});

describe('the gate on components it could not evaluate', () => {
  it('fails naming the ecosystem, each component with the reason, and how to fix it', () => {
    const verdict = evaluateGate([pkg({ coverage: UNPARSEABLE })], settings(), NOW);
    expect(verdict.result).toBe('fail');
    expect(verdict.reasons).toEqual([
      "web-app 2.1.0: PyPI: 2 components not evaluated: 'foo' 2.0.0-final (PyPI version '2.0.0-final' is not a valid PEP 440 version), 'bar' latest (PyPI version 'latest' is not a valid PEP 440 version) — correct the version in the lock file or manifest, or accept the gap with on-incomplete: pass.",
    ]);
  });

  it('lists a few components and counts the rest', () => {
    const many: ScanCoverage = {
      ...UNPARSEABLE,
      notEvaluated: 5,
      notEvaluatedComponents: ['a', 'b', 'c', 'd', 'e'].map((name) => ({
        ecosystem: 'Go',
        name,
        version: '1.0.0',
        reason: 'unsupported_ecosystem',
        detail: 'no Go matcher',
      })),
    };
    const [reason] = evaluateGate([pkg({ coverage: many })], settings(), NOW).reasons;
    expect(reason).toMatch(
      /^web-app 2\.1\.0: Go: 5 components not evaluated: 'a' 1\.0\.0 \(no Go matcher\), 'b' .*, 'c' .* and 2 more — the repository cannot match Go components/,
    );
  });

  it('counts the components the repository did not list (it caps the list; the counts are exact)', () => {
    const capped: ScanCoverage = { ...UNPARSEABLE, notEvaluated: 1502 };
    const reasons = evaluateGate([pkg({ coverage: capped })], settings(), NOW).reasons;
    expect(reasons[1]).toBe(
      "web-app 2.1.0: 1,500 more components not evaluated (the repository lists 2) — see the repository's scan of the package.",
    );
  });

  it('fails a scan a limit stopped, naming the limit', () => {
    const limited: ScanCoverage = {
      ...coverage(),
      complete: false,
      evaluated: 100000,
      notEvaluated: 1,
      notEvaluatedComponents: [
        { ecosystem: 'npm', name: 'z', version: '1.0.0', reason: 'scan_limit', detail: 'after the limit' },
      ],
      limitReached: 'components per package (100,000)',
    };
    expect(evaluateGate([pkg({ coverage: limited })], settings(), NOW).reasons).toEqual([
      "web-app 2.1.0: the scan stopped at the repository's limit of components per package (100,000), leaving 1 component not evaluated — raise the limit on the repository service or split the package.",
    ]);
  });

  it('fails a report that calls itself incomplete without saying why', () => {
    const vague = coverage({ complete: false });
    expect(evaluateGate([pkg({ coverage: vague })], settings(), NOW).reasons[0]).toMatch(
      /reports the scan as incomplete without saying why/,
    );
  });
});

describe('the gate on the age of the advisory data', () => {
  it('fails on data older than max-advisory-age, saying how old and how to fix it', () => {
    const old = coverage({
      ecosystems: [
        {
          ecosystem: 'npm',
          components: 4212,
          evaluated: 4212,
          advisories: 3412,
          advisoriesUpdatedAt: daysAgo(9),
        },
      ],
    });
    const verdict = evaluateGate([pkg({ coverage: old })], settings(), NOW);
    expect(verdict.result).toBe('fail');
    expect(verdict.reasons).toEqual([
      'web-app 2.1.0: advisory data for npm is 9 days old (max-advisory-age 7d) — sync it (`airlock-server advisories sync` on the repository service) or raise max-advisory-age.',
    ]);
  });

  it('passes the same data under a larger max-advisory-age', () => {
    const old = coverage({
      ecosystems: [
        {
          ecosystem: 'npm',
          components: 4212,
          evaluated: 4212,
          advisories: 3412,
          advisoriesUpdatedAt: daysAgo(9),
        },
      ],
    });
    const verdict = evaluateGate([pkg({ coverage: old })], settings({ maxAdvisoryAgeSec: 10 * 86400 }), NOW);
    expect(verdict.result).toBe('pass');
    expect(verdict.packages[0]!.coverage?.ecosystems[0]).toMatchObject({
      freshness: 'fresh',
      ageSec: 9 * 86400,
    });
  });

  it('judges an age in hours against a limit in hours', () => {
    const old = coverage({
      ecosystems: [
        { ecosystem: 'npm', components: 1, evaluated: 1, advisories: 1, advisoriesUpdatedAt: daysAgo(1.5) },
      ],
    });
    expect(
      evaluateGate([pkg({ coverage: old })], settings({ maxAdvisoryAgeSec: 24 * 3600 }), NOW).reasons,
    ).toEqual([
      'web-app 2.1.0: advisory data for npm is 36 hours old (max-advisory-age 1d) — sync it (`airlock-server advisories sync` on the repository service) or raise max-advisory-age.',
    ]);
  });

  it('ignores stale or missing data of an ecosystem the package has no component in', () => {
    const other = coverage({
      ecosystems: [
        ...coverage().ecosystems,
        { ecosystem: 'PyPI', components: 0, evaluated: 0, advisories: 0, advisoriesUpdatedAt: null },
        { ecosystem: 'Go', components: 0, evaluated: 0, advisories: 10, advisoriesUpdatedAt: daysAgo(400) },
      ],
    });
    const verdict = evaluateGate([pkg({ coverage: other })], settings(), NOW);
    expect(verdict.result).toBe('pass');
    expect(verdict.packages[0]!.coverage?.status).toBe('complete');
  });

  it('does not hold a repository clock ahead of ours against the data', () => {
    const ahead = coverage({
      ecosystems: [
        { ecosystem: 'npm', components: 1, evaluated: 1, advisories: 1, advisoriesUpdatedAt: daysAgo(-1) },
      ],
    });
    const verdict = evaluateGate([pkg({ coverage: ahead })], settings(), NOW);
    expect(verdict.result).toBe('pass');
    expect(verdict.packages[0]!.coverage?.ecosystems[0]?.ageSec).toBe(0);
  });
});

describe('the gate on what it cannot judge this way', () => {
  it('passes a complete scan against fresh data and counts its components', () => {
    const verdict = evaluateGate([pkg({ coverage: coverage() })], settings(), NOW);
    expect(verdict.result).toBe('pass');
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.coverage).toEqual({ reported: 1, evaluated: 4212, notEvaluated: 0, incomplete: 0 });
  });

  it('does not fail a scan whose repository does not report coverage, and says so', () => {
    const verdict = evaluateGate([pkg()], settings(), NOW);
    expect(verdict.result).toBe('pass');
    expect(verdict.packages[0]!.coverage?.status).toBe('not-reported');
    expect(verdict.coverage).toEqual({ reported: 0, evaluated: 0, notEvaluated: 0, incomplete: 0 });
  });

  it('leaves a scan that did not finish to on-timeout, whatever coverage came with it', () => {
    const verdict = evaluateGate(
      [pkg({ scanStatus: 'timeout', coverage: EMPTY_DATABASE })],
      settings({ onTimeout: 'pass' }),
      NOW,
    );
    expect(verdict.result).toBe('pass');
    expect(verdict.packages[0]!.coverage?.status).toBe('not-scanned');
  });

  it('still fails on findings when the scan was incomplete but on-incomplete is pass', () => {
    const verdict = evaluateGate(
      [pkg({ coverage: UNPARSEABLE, findings: [finding({ severity: 'critical' })] })],
      settings({ onIncomplete: 'pass' }),
      NOW,
    );
    expect(verdict.result).toBe('fail');
    expect(verdict.reasons).toEqual([expect.stringMatching(/has 1 critical finding/)]);
  });

  it('adds up the counts over the packages that report coverage', () => {
    const verdict = evaluateGate(
      [pkg({ coverage: coverage() }), pkg({ name: 'api', coverage: UNPARSEABLE }), pkg({ name: 'cloud' })],
      settings({ onIncomplete: 'pass' }),
      NOW,
    );
    expect(verdict.coverage).toEqual({ reported: 2, evaluated: 4252, notEvaluated: 2, incomplete: 1 });
  });
});

describe('readCoverage', () => {
  it('reads the wire form', () => {
    expect(
      readCoverage({
        complete: false,
        evaluated: 0,
        not_evaluated: 1,
        not_evaluated_components: [
          {
            ecosystem: 'npm',
            name: 'sequelize',
            version: '3.23.5',
            reason: 'no_advisory_data',
            detail: 'no npm advisories',
            location: { path: 'package/package-lock.json', line: 3 },
          },
        ],
        limit_reached: null,
        ecosystems: [
          { ecosystem: 'npm', components: 1, evaluated: 0, advisories: 0, advisories_updated_at: null },
        ],
      }),
    ).toEqual({
      ...EMPTY_DATABASE,
      notEvaluatedComponents: [
        {
          ...EMPTY_DATABASE.notEvaluatedComponents[0],
          detail: 'no npm advisories',
          location: { path: 'package/package-lock.json', line: 3 },
        },
      ],
    });
  });

  it('reads no coverage as none', () => {
    expect(readCoverage(undefined)).toBeUndefined();
    expect(readCoverage(null)).toBeUndefined();
  });

  it.each([
    [
      'a count that is not a number',
      { complete: true, evaluated: '12', not_evaluated: 0 },
      /unreadable `evaluated`/,
    ],
    ['no complete flag', { evaluated: 1, not_evaluated: 0 }, /unreadable `complete`/],
    [
      'an ecosystem without its counts',
      { complete: true, evaluated: 1, not_evaluated: 0, ecosystems: [{ ecosystem: 'npm' }] },
      /unreadable `ecosystems\[0\]\.components`/,
    ],
    ['a list that is not one', 'everything', /unreadable `coverage`/],
  ])('refuses %s, naming the field', (_what, wire, message) => {
    expect(() => readCoverage(wire)).toThrow(message);
  });
});

describe('parseAge', () => {
  it.each([
    ['90m', 5400],
    ['36h', 129600],
    ['7d', 604800],
    ['1d12h', 129600],
    ['45s', 45],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseAge(text)).toBe(seconds);
  });

  it.each(['', '7', '7 days', 'd', '1.5d', '7w'])('refuses %j, naming the setting and the forms', (text) => {
    expect(() => parseAge(text)).toThrow(/^max-advisory-age: .* use a number with a unit: d \(days\)/);
  });
});

describe('advisories held without a recorded load', () => {
  it('are of unknown age, so the gate fails and says why', () => {
    const unrecorded = coverage({
      ecosystems: [
        { ecosystem: 'npm', components: 3, evaluated: 3, advisories: 467, advisoriesUpdatedAt: null },
      ],
    });
    expect(evaluateGate([pkg({ coverage: unrecorded })], settings(), NOW).reasons).toEqual([
      'web-app 2.1.0: npm: advisory data never loaded by a sync or import (the 467 advisories held have no recorded age) — run `airlock-server advisories sync` on the repository service.',
    ]);
  });
});
