import path from 'node:path';
import cvss from 'ae-cvss-calculator';
import type { OsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import { advisorySeverity, type SeverityLevel } from '../../../src/server/scan/severity.js';
import { ADVISORIES_DIR } from '../../helpers/advisories.js';
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

/** The CVSS v2 base score, by the specification's equations. */
export function specScoreV2(m: Record<string, string>): number {
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

/** The level a score falls in, by the documented floors. */
export function expectedLevel(score: number): SeverityLevel {
  return LEVEL_FLOORS.find(([floor]) => score >= floor)?.[1] ?? (score > 0 ? 'Low' : 'Unknown');
}

/** The npm, PyPI and crates.io advisories of the archives in `dir` (the shipped subset by default). */
export async function realAdvisories(dir = ADVISORIES_DIR): Promise<OsvAdvisory[]> {
  return [
    ...(await loadArchive('npm', dir)),
    ...(await loadArchive('PyPI', dir)),
    ...(await loadArchive('crates.io', dir)),
  ];
}

/**
 * Every CVSS vector of the archives in `dir` scored against the specifications' equations (run on
 * the shipped subset and, in test/accuracy, on the full archives).
 */
export function describeRealVectors(dir: string, min: { v4Documents: number }): void {
  describe(`advisory severity of every real vector (${path.basename(path.dirname(dir))}/${path.basename(dir)})`, () => {
    it('scores every real CVSS v3.0 and v3.1 vector as the specification’s equations do', async () => {
      const docs = (await realAdvisories(dir)).filter((d) => d.severity?.some((s) => s.type === 'CVSS_V3'));
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
      const docs = (await realAdvisories(dir)).filter((d) => d.severity?.some((s) => s.type === 'CVSS_V4'));
      expect(docs.length).toBeGreaterThan(min.v4Documents);
      for (const doc of docs) {
        const vector = doc.severity!.find((s) => s.type === 'CVSS_V4')!.score;
        const severity = advisorySeverity(doc);
        const base = new cvss.Cvss4P0(vector).calculateScores().baseMetricsOnly!;
        expect(severity).toEqual({ level: expectedLevel(base), score: base, source: 'CVSS_V4', vector });
        expect(base).toBeGreaterThanOrEqual(0);
        expect(base).toBeLessThanOrEqual(10);
      }
    });
  });
}
