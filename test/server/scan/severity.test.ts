import cvss from 'ae-cvss-calculator';
import type { OsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import {
  advisorySeverity,
  levelForScore,
  scoreCvssVector,
  type SeverityLevel,
} from '../../../src/server/scan/severity.js';
import { loadArchive } from './advisories-data.js';

// The base-score equations of the CVSS v2 and v3.x specifications, written out independently of
// the calculator library so the two can be compared.
const V3 = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  PR: { N: [0.85, 0.85], L: [0.62, 0.68], H: [0.27, 0.5] },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

function roundUp30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

function roundUp31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

function specScoreV3(vector: string): number {
  const m = Object.fromEntries(
    vector
      .split('/')
      .slice(1)
      .map((p) => p.split(':')),
  ) as Record<string, string>;
  const changed = m.S === 'C';
  const cia = (k: string): number => V3.CIA[m[k] as 'H'];
  const iss = 1 - (1 - cia('C')) * (1 - cia('I')) * (1 - cia('A'));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const pr = V3.PR[m.PR as 'N'][changed ? 1 : 0];
  const exploitability = 8.22 * V3.AV[m.AV as 'N'] * V3.AC[m.AC as 'L'] * pr * V3.UI[m.UI as 'N'];
  if (impact <= 0) return 0;
  const roundUp = vector.startsWith('CVSS:3.0/') ? roundUp30 : roundUp31;
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

const V2 = {
  AV: { L: 0.395, A: 0.646, N: 1 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  CIA: { N: 0, P: 0.275, C: 0.66 },
} as const;

function specScoreV2(m: Record<string, string>): number {
  const cia = (k: string): number => V2.CIA[m[k] as 'N'];
  const impact = 10.41 * (1 - (1 - cia('C')) * (1 - cia('I')) * (1 - cia('A')));
  const exploitability = 20 * V2.AV[m.AV as 'N'] * V2.AC[m.AC as 'L'] * V2.Au[m.Au as 'N'];
  const f = impact === 0 ? 0 : 1.176;
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10) / 10;
}

const LEVEL_FLOORS: [number, SeverityLevel][] = [
  [9, 'Critical'],
  [7, 'High'],
  [4, 'Medium'],
];

function expectedLevel(score: number): SeverityLevel {
  return LEVEL_FLOORS.find(([floor]) => score >= floor)?.[1] ?? (score > 0 ? 'Low' : 'Unknown');
}

async function realAdvisories(): Promise<OsvAdvisory[]> {
  return [...(await loadArchive('npm')), ...(await loadArchive('PyPI')), ...(await loadArchive('crates.io'))];
}

describe('advisory severity', () => {
  it('scores every real CVSS v3.0 and v3.1 vector as the specification’s equations do', async () => {
    const docs = (await realAdvisories()).filter((d) => d.severity?.some((s) => s.type === 'CVSS_V3'));
    const versions = new Set<string>();
    let scored = 0;
    for (const doc of docs) {
      const vector = doc.severity!.find((s) => s.type === 'CVSS_V3')!.score;
      const severity = advisorySeverity(doc);
      if (severity.source !== 'CVSS_V3') continue; // an invalid vector; see the fallback test
      versions.add(vector.slice(0, 9));
      expect([doc.id, severity.score]).toEqual([doc.id, specScoreV3(vector)]);
      expect(severity.level).toBe(expectedLevel(severity.score!));
      expect(severity.vector).toBe(vector);
      scored++;
    }
    expect([...versions].sort()).toEqual(['CVSS:3.0/', 'CVSS:3.1/']);
    expect(scored).toBeGreaterThan(docs.length - 3);
  }, 120_000);

  it('scores every real CVSS v4.0 vector with its base metrics', async () => {
    const docs = (await realAdvisories()).filter((d) => d.severity?.some((s) => s.type === 'CVSS_V4'));
    expect(docs.length).toBeGreaterThan(10);
    for (const doc of docs) {
      const vector = doc.severity!.find((s) => s.type === 'CVSS_V4')!.score;
      const severity = advisorySeverity(doc);
      const base = new cvss.Cvss4P0(vector).calculateScores().baseMetricsOnly!;
      expect(severity).toEqual({ level: expectedLevel(base), score: base, source: 'CVSS_V4', vector });
      expect(base).toBeGreaterThanOrEqual(0);
      expect(base).toBeLessThanOrEqual(10);
    }
  });

  it('scores CVSS v2 base vectors as the specification’s equations do, for every metric combination', () => {
    const keys = {
      AV: ['L', 'A', 'N'],
      AC: ['H', 'M', 'L'],
      Au: ['M', 'S', 'N'],
      C: ['N', 'P', 'C'],
      I: ['N', 'P', 'C'],
      A: ['N', 'P', 'C'],
    };
    let combos: Record<string, string>[] = [{}];
    for (const [k, values] of Object.entries(keys))
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
    expect(combos).toHaveLength(729);
    for (const m of combos) {
      const vector = Object.entries(m)
        .map(([k, v]) => `${k}:${v}`)
        .join('/');
      const severity = advisorySeverity({
        id: 'TEST-V2',
        modified: '',
        severity: [{ type: 'CVSS_V2', score: vector }],
      });
      expect(severity.score).toBeCloseTo(specScoreV2(m), 1);
      expect(severity.level).toBe(expectedLevel(severity.score!));
    }
  });

  it('prefers the newest CVSS version an advisory carries', async () => {
    const docs = await realAdvisories();
    const v3 = docs.find((d) => d.severity?.[0]?.type === 'CVSS_V3')!.severity![0]!;
    const v4 = docs.find((d) => d.severity?.[0]?.type === 'CVSS_V4')!.severity![0]!;
    const severity = advisorySeverity({ id: 'TEST-BOTH', modified: '', severity: [v3, v4] });
    expect(severity.source).toBe('CVSS_V4');
    expect(severity.vector).toBe(v4.score);
  });

  it('falls back past an invalid vector, to the database’s word, and then to Unknown', async () => {
    const docs = await realAdvisories();
    const invalid = docs.filter((d) => d.severity?.some((s) => scoreCvssVector(s.type, s.score) === null));
    expect(invalid.length).toBeGreaterThan(0);
    for (const doc of invalid) expect(advisorySeverity(doc)).toMatchObject({ level: 'Unknown', score: null });
    const withWord = { ...invalid[0]!, database_specific: { severity: 'MODERATE' } };
    expect(advisorySeverity(withWord)).toEqual({
      level: 'Medium',
      score: null,
      source: 'database_specific',
      vector: 'MODERATE',
    });
    const goDocs = await loadArchive('Go');
    expect(goDocs.every((d) => !d.severity)).toBe(true);
    expect(advisorySeverity(goDocs[0]!).level).toBe('Unknown');
  });

  it('reads GitHub-style severity words and per-package vectors when the advisory has no vector', async () => {
    const [doc] = (await loadArchive('crates.io')).filter((d) => d.severity?.length);
    const { severity, ...rest } = doc!;
    const perPackage: OsvAdvisory = {
      ...rest,
      affected: (rest.affected ?? []).map((a) => ({ ...a, severity })),
    };
    expect(advisorySeverity(perPackage)).toEqual(advisorySeverity(doc!));
    for (const [word, level] of [
      ['CRITICAL', 'Critical'],
      ['HIGH', 'High'],
      ['MODERATE', 'Medium'],
      ['LOW', 'Low'],
    ]) {
      expect(
        advisorySeverity({ id: 'TEST-WORD', modified: '', database_specific: { severity: word } }).level,
      ).toBe(level);
    }
  });

  it('maps scores to levels at the documented thresholds', () => {
    expect([10, 9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0].map(levelForScore)).toEqual([
      'Critical',
      'Critical',
      'High',
      'High',
      'Medium',
      'Medium',
      'Low',
      'Low',
      'Unknown',
    ]);
  });
});
