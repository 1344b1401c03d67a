import { evaluateGate } from '../../src/policy/gate.js';
import type { GateSettings } from '../../src/policy/settings.js';
import type { Finding, PackageScan } from '../../src/policy/findings.js';
import { finding, findings, NOW, pkg, settings } from './builders.js';

interface Case {
  name: string;
  settings: Partial<GateSettings>;
  findings: Finding[];
  result: 'pass' | 'fail';
  /** Severities of the findings that decided, sorted. */
  deciding?: string[];
  reason?: RegExp;
}

function run(c: { settings: Partial<GateSettings>; findings?: Finding[]; pkg?: Partial<PackageScan> }) {
  return evaluateGate([pkg({ findings: c.findings ?? [], ...c.pkg })], settings(c.settings), NOW);
}

/** Runs a case and checks its result, the severities of its deciding findings and its reason. */
function expectCase(c: Case): void {
  const verdict = run(c);
  expect(verdict.result).toBe(c.result);
  if (c.deciding) {
    const deciding = verdict.packages[0]!.findings.filter((f) => f.disposition === 'deciding').map(
      (f) => f.severity,
    );
    expect(deciding.sort()).toEqual(c.deciding.sort());
  }
  if (c.reason) expect(verdict.reasons.join('\n')).toMatch(c.reason);
}

describe('severity thresholds', () => {
  const cases: Case[] = [
    {
      name: 'fail-on high fails on a high finding',
      settings: { failOn: 'high' },
      findings: [finding({ severity: 'high' })],
      result: 'fail',
      deciding: ['high'],
      reason: /1 high finding; fail-on is high, so none are allowed/,
    },
    {
      name: 'fail-on high fails on a critical finding',
      settings: { failOn: 'high' },
      findings: [finding({ severity: 'critical' })],
      result: 'fail',
      deciding: ['critical'],
    },
    {
      name: 'fail-on high passes medium and low findings',
      settings: { failOn: 'high' },
      findings: [finding({ severity: 'medium' }), finding({ severity: 'low' })],
      result: 'pass',
      deciding: [],
    },
    {
      name: 'fail-on critical passes a high finding',
      settings: { failOn: 'critical' },
      findings: [finding({ severity: 'high' })],
      result: 'pass',
    },
    {
      name: 'fail-on critical fails on a critical finding',
      settings: { failOn: 'critical' },
      findings: [finding({ severity: 'critical' })],
      result: 'fail',
      deciding: ['critical'],
    },
    {
      name: 'fail-on medium fails on a medium finding',
      settings: { failOn: 'medium' },
      findings: [finding({ severity: 'medium' }), finding({ severity: 'low' })],
      result: 'fail',
      deciding: ['medium'],
    },
    {
      name: 'fail-on low fails on a low finding',
      settings: { failOn: 'low' },
      findings: [finding({ severity: 'low' })],
      result: 'fail',
      deciding: ['low'],
    },
    {
      name: 'fail-on none passes even critical findings',
      settings: { failOn: 'none' },
      findings: [finding({ severity: 'critical' })],
      result: 'pass',
      reason: /fail-on is none/,
    },
    {
      name: 'no findings pass under the strictest level',
      settings: { failOn: 'low' },
      findings: [],
      result: 'pass',
      reason: /nothing counted is at or above low/,
    },
  ];
  it.each(cases)('$name', expectCase);
});

describe('maximum counts', () => {
  const cases: Case[] = [
    {
      name: 'max-high allows up to its count',
      settings: { maxHigh: 2 },
      findings: findings(2, { severity: 'high' }),
      result: 'pass',
    },
    {
      name: 'max-high fails one over its count, and every high finding decides',
      settings: { maxHigh: 2 },
      findings: findings(3, { severity: 'high' }),
      result: 'fail',
      deciding: ['high', 'high', 'high'],
      reason: /3 high findings; max-high allows 2\./,
    },
    {
      name: 'max-critical 0 fails even with fail-on none',
      settings: { failOn: 'none', maxCritical: 0 },
      findings: [finding({ severity: 'critical' })],
      result: 'fail',
      reason: /max-critical allows none/,
    },
    {
      name: 'max-medium limits a level below fail-on',
      settings: { failOn: 'high', maxMedium: 1 },
      findings: findings(2, { severity: 'medium' }),
      result: 'fail',
      deciding: ['medium', 'medium'],
    },
    {
      name: 'max-low tolerates lows within it',
      settings: { failOn: 'low', maxLow: 5 },
      findings: findings(5, { severity: 'low' }),
      result: 'pass',
    },
    {
      name: 'a max on one level leaves fail-on in force on the others',
      settings: { failOn: 'high', maxHigh: 10 },
      findings: [finding({ severity: 'high' }), finding({ severity: 'critical' })],
      result: 'fail',
      deciding: ['critical'],
    },
  ];
  it.each(cases)('$name', expectCase);

  it('applies limits to each package on its own', () => {
    const verdict = evaluateGate(
      [
        pkg({ name: 'a', findings: findings(2, { severity: 'high' }) }),
        pkg({ name: 'b', findings: findings(2, { severity: 'high' }) }),
      ],
      settings({ maxHigh: 3 }),
      NOW,
    );
    expect(verdict.result).toBe('pass');
    expect(verdict.totals.high).toBe(4);
  });
});

describe('ignore-unfixed and unknown severity', () => {
  const cases: Case[] = [
    {
      name: 'an unfixed critical fails when ignore-unfixed is off',
      settings: { ignoreUnfixed: false },
      findings: [finding({ severity: 'critical', fixedVersion: null })],
      result: 'fail',
    },
    {
      name: 'an unfixed critical is shown but passes when ignore-unfixed is on',
      settings: { ignoreUnfixed: true },
      findings: [finding({ severity: 'critical', fixedVersion: null })],
      result: 'pass',
    },
    {
      name: 'ignore-unfixed still fails on a fixable critical',
      settings: { ignoreUnfixed: true },
      findings: [
        finding({ severity: 'critical', fixedVersion: null }),
        finding({ severity: 'critical', fixedVersion: '2.0.0' }),
      ],
      result: 'fail',
      deciding: ['critical'],
    },
    {
      name: 'unknown severity is ignored by default',
      settings: {},
      findings: [finding({ severity: 'unknown' })],
      result: 'pass',
    },
    {
      name: 'unknown severity counted as high fails fail-on high',
      settings: { unknownSeverity: 'high' },
      findings: [finding({ severity: 'unknown' })],
      result: 'fail',
      deciding: ['unknown'],
      reason: /1 high finding \(1 of unknown severity, counted as high\)/,
    },
    {
      name: 'unknown severity counted as low passes fail-on high',
      settings: { unknownSeverity: 'low' },
      findings: [finding({ severity: 'unknown' })],
      result: 'pass',
    },
    {
      name: 'unknown severity counts toward the max of its level',
      settings: { unknownSeverity: 'medium', maxMedium: 1 },
      findings: [finding({ severity: 'unknown' }), finding({ severity: 'medium' })],
      result: 'fail',
      deciding: ['medium', 'unknown'],
    },
  ];
  it.each(cases)('$name', expectCase);

  it('shows every finding in the counts, whatever decided', () => {
    const verdict = run({
      settings: { ignoreUnfixed: true },
      findings: [
        finding({ severity: 'critical', fixedVersion: null }),
        finding({ severity: 'unknown' }),
        finding({ severity: 'low' }),
      ],
    });
    const p = verdict.packages[0]!;
    expect(p.counts).toEqual({ critical: 1, high: 0, medium: 0, low: 1, unknown: 1 });
    expect(p.gatedCounts).toEqual({ critical: 0, high: 0, medium: 0, low: 1 });
    expect(p.findings.map((f) => f.disposition).sort()).toEqual(['ignored', 'tolerated', 'unfixed']);
  });
});

describe('scan outcomes', () => {
  const cases: Array<{
    name: string;
    status: PackageScan['scanStatus'];
    settings: Partial<GateSettings>;
    result: 'pass' | 'fail';
    text: RegExp;
  }> = [
    {
      name: 'a timed-out scan fails closed by default',
      status: 'timeout',
      settings: {},
      result: 'fail',
      text: /did not finish before the wait timeout.*on-timeout is fail/,
    },
    {
      name: 'a timed-out scan passes when on-timeout is pass',
      status: 'timeout',
      settings: { onTimeout: 'pass' },
      result: 'pass',
      text: /passes only because on-timeout is pass/,
    },
    {
      name: 'a failed scan fails closed by default',
      status: 'error',
      settings: {},
      result: 'fail',
      text: /the scan failed \(scanner crashed\); on-scan-error is fail/,
    },
    {
      name: 'a failed scan passes when on-scan-error is pass',
      status: 'error',
      settings: { onScanError: 'pass' },
      result: 'pass',
      text: /passes only because on-scan-error is pass/,
    },
    {
      name: 'on-timeout pass does not excuse a failed scan',
      status: 'error',
      settings: { onTimeout: 'pass' },
      result: 'fail',
      text: /on-scan-error is fail/,
    },
    {
      name: 'an unscannable format passes with a note',
      status: 'not_supported',
      settings: {},
      result: 'pass',
      text: /was not scanned: the repository does not scan raw packages/,
    },
  ];
  it.each(cases)('$name', (c) => {
    const verdict = run({
      settings: c.settings,
      pkg: { scanStatus: c.status, scanDetail: 'scanner crashed', format: 'raw' },
    });
    expect(verdict.result).toBe(c.result);
    expect([...verdict.reasons, ...verdict.notes].join('\n')).toMatch(c.text);
  });

  it('fails the whole verdict when one of several packages fails', () => {
    const verdict = evaluateGate(
      [pkg({ name: 'ok' }), pkg({ name: 'slow', scanStatus: 'timeout' })],
      settings(),
      NOW,
    );
    expect(verdict.result).toBe('fail');
    expect(verdict.packages.map((p) => p.result)).toEqual(['pass', 'fail']);
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0]).toMatch(/^slow 2\.1\.0:/);
  });

  it('passes an empty package list and says so', () => {
    const verdict = evaluateGate([], settings(), NOW);
    expect(verdict).toMatchObject({ result: 'pass', reasons: ['No packages were given to the gate.'] });
  });
});
