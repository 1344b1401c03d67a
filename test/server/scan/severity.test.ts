import type { OsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import { advisorySeverity, levelForScore, scoreCvssVector } from '../../../src/server/scan/severity.js';
import { ADVISORIES_DIR } from '../../helpers/advisories.js';
import { loadArchive } from './advisories-data.js';
import { describeRealVectors, expectedLevel, realAdvisories, specScoreV2 } from './severity-cases.js';

describeRealVectors(ADVISORIES_DIR, { v4Documents: 10 });

describe('advisory severity', () => {
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
