import type { AllowlistEntry } from '../../src/policy/allowlist.js';
import { expiryInstant } from '../../src/policy/allowlist.js';
import { evaluateGate } from '../../src/policy/gate.js';
import type { Finding } from '../../src/policy/findings.js';
import { finding, NOW, pkg, settings } from './builders.js';

const GHSA = 'GHSA-jf85-cpcp-j695';
const CVE = 'CVE-2019-10744';

function lodashFinding(overrides: Partial<Finding> = {}): Finding {
  return finding({
    id: GHSA,
    aliases: [CVE],
    severity: 'critical',
    component: 'lodash',
    installedVersion: '4.17.11',
    ...overrides,
  });
}

function judge(entries: Omit<AllowlistEntry, 'index'>[], found: Finding[] = [lodashFinding()], now = NOW) {
  const allowlist = entries.map((e, index) => ({ index, ...e }));
  return evaluateGate(
    [pkg({ name: 'web-app', version: '2.1.0', findings: found })],
    settings({ allowlist }),
    now,
  );
}

describe('allowlist matching', () => {
  const cases: Array<{ name: string; entry: Omit<AllowlistEntry, 'index'>; suppressed: boolean }> = [
    { name: 'an entry by vulnerability id suppresses the finding', entry: { id: GHSA }, suppressed: true },
    { name: 'an entry by alias suppresses the finding', entry: { id: CVE }, suppressed: true },
    { name: 'ids compare without regard to case', entry: { id: CVE.toLowerCase() }, suppressed: true },
    { name: 'an entry for another advisory does nothing', entry: { id: 'CVE-2020-8203' }, suppressed: false },
    {
      name: 'an entry scoped to the pushed package applies to it',
      entry: { id: CVE, package: { name: 'web-app' } },
      suppressed: true,
    },
    {
      name: 'an entry scoped to the pushed package and version applies to it',
      entry: { id: CVE, package: { name: 'web-app', version: '2.1.0' } },
      suppressed: true,
    },
    {
      name: 'an entry scoped to another version of the package does not apply',
      entry: { id: CVE, package: { name: 'web-app', version: '2.0.0' } },
      suppressed: false,
    },
    {
      name: 'an entry scoped to the vulnerable component applies',
      entry: { id: CVE, package: { name: 'lodash' } },
      suppressed: true,
    },
    {
      name: 'an entry scoped to the component version applies',
      entry: { id: CVE, package: { name: 'lodash', version: '4.17.11' } },
      suppressed: true,
    },
    {
      name: 'an entry scoped to another component version does not apply',
      entry: { id: CVE, package: { name: 'lodash', version: '4.17.12' } },
      suppressed: false,
    },
    {
      name: 'an entry scoped to another package does not apply',
      entry: { id: CVE, package: { name: 'api-server' } },
      suppressed: false,
    },
  ];

  it.each(cases)('$name', ({ entry, suppressed }) => {
    const verdict = judge([entry]);
    expect(verdict.result).toBe(suppressed ? 'pass' : 'fail');
    expect(verdict.allowlist.suppressed).toHaveLength(suppressed ? 1 : 0);
    expect(verdict.allowlist.stale).toHaveLength(suppressed ? 0 : 1);
    expect(verdict.packages[0]!.findings[0]!.disposition).toBe(suppressed ? 'allowlisted' : 'deciding');
  });

  it('records the entry and its reason on the suppressed finding', () => {
    const verdict = judge([{ id: CVE, reason: 'Not reachable: we never call zipObjectDeep.' }]);
    const [suppressed] = verdict.allowlist.suppressed;
    expect(suppressed).toMatchObject({
      package: 'web-app',
      version: '2.1.0',
      entry: { id: CVE, reason: 'Not reachable: we never call zipObjectDeep.' },
    });
    expect(verdict.packages[0]!.findings[0]!.allowlistEntry?.reason).toMatch(/Not reachable/);
  });

  it('still counts suppressed findings in what is shown', () => {
    const verdict = judge([{ id: CVE }]);
    expect(verdict.packages[0]!.counts.critical).toBe(1);
    expect(verdict.packages[0]!.gatedCounts.critical).toBe(0);
  });

  it('only suppresses what it matches, leaving other findings to decide', () => {
    const verdict = judge(
      [{ id: CVE }],
      [lodashFinding(), finding({ id: 'CVE-2021-23337', severity: 'high' })],
    );
    expect(verdict.result).toBe('fail');
    expect(verdict.packages[0]!.findings.map((f) => f.disposition)).toEqual(['allowlisted', 'deciding']);
  });
});

describe('allowlist expiry and staleness', () => {
  const cases: Array<{ name: string; expires: string; now: string; applies: boolean }> = [
    {
      name: 'a date in the future applies',
      expires: '2025-07-01',
      now: '2025-06-15T12:00:00Z',
      applies: true,
    },
    {
      name: 'a bare date applies through the end of that day (UTC)',
      expires: '2025-06-15',
      now: '2025-06-15T23:59:59Z',
      applies: true,
    },
    {
      name: 'a bare date stops applying when the next day begins',
      expires: '2025-06-15',
      now: '2025-06-16T00:00:00Z',
      applies: false,
    },
    {
      name: 'a date in the past does not apply',
      expires: '2025-01-31',
      now: '2025-06-15T12:00:00Z',
      applies: false,
    },
    {
      name: 'a date-time with an offset is honoured to the second',
      expires: '2025-06-15T14:00:00+02:00',
      now: '2025-06-15T12:00:00Z',
      applies: false,
    },
    {
      name: 'a date-time just ahead still applies',
      expires: '2025-06-15T12:00:01Z',
      now: '2025-06-15T12:00:00Z',
      applies: true,
    },
  ];

  it.each(cases)('$name', ({ expires, now, applies }) => {
    const verdict = judge([{ id: CVE, expires, reason: 'waiting on upstream' }], undefined, new Date(now));
    expect(verdict.result).toBe(applies ? 'pass' : 'fail');
    expect(verdict.allowlist.expired).toHaveLength(applies ? 0 : 1);
    if (!applies) {
      expect(verdict.allowlist.expired[0]).toMatchObject({
        entry: { id: CVE, expires },
        wouldHaveSuppressed: 1,
      });
      expect(verdict.notes.join('\n')).toMatch(
        /Allowlist entry 1 \(CVE-2019-10744, expires .*\) has expired and was not applied; it would have suppressed 1 finding\./,
      );
    }
  });

  it('reports an expired entry that would have matched nothing as expired, not stale', () => {
    const verdict = judge([{ id: 'CVE-2000-0001', expires: '2020-01-01' }]);
    expect(verdict.allowlist.expired).toEqual([expect.objectContaining({ wouldHaveSuppressed: 0 })]);
    expect(verdict.allowlist.stale).toEqual([]);
  });

  it('reports unexpired entries that matched no finding as stale', () => {
    const verdict = judge([
      { id: CVE },
      { id: 'CVE-2000-0001', package: { name: 'old-lib' } },
      { id: 'GHSA-aaaa-bbbb-cccc' },
    ]);
    expect(verdict.allowlist.stale.map((e) => e.index)).toEqual([1, 2]);
    expect(verdict.notes).toContain(
      'Allowlist entry 2 (CVE-2000-0001 (old-lib)) matched no finding; it may be removed.',
    );
  });

  it('counts an entry as used when any package matches it', () => {
    const allowlist = [{ index: 0, id: CVE }];
    const verdict = evaluateGate(
      [pkg({ name: 'clean' }), pkg({ name: 'web-app', findings: [lodashFinding()] })],
      settings({ allowlist }),
      NOW,
    );
    expect(verdict.allowlist.stale).toEqual([]);
    expect(verdict.result).toBe('pass');
  });

  it('marks every matching entry as used, though the first one suppresses', () => {
    const verdict = judge([
      { id: CVE, reason: 'first' },
      { id: GHSA, reason: 'second' },
    ]);
    expect(verdict.allowlist.stale).toEqual([]);
    expect(verdict.allowlist.suppressed.map((s) => s.entry.reason)).toEqual(['first']);
  });

  it('reads only real calendar dates', () => {
    expect(expiryInstant('2025-02-29')).toBeUndefined();
    expect(expiryInstant('2024-02-29')).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(expiryInstant('2025-13-01')).toBeUndefined();
    expect(expiryInstant('2025-06-15T25:00:00Z')).toBeUndefined();
    expect(expiryInstant('2025-06-15T10:00:00')).toBeUndefined();
  });
});
