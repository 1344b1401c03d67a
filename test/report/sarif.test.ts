import { evaluateGate } from '../../src/policy/gate.js';
import type { SarifLog } from '../../src/report/sarif-types.js';
import { buildSarif, securitySeverity } from '../../src/report/sarif.js';
import { finding, NOW, pkg, settings } from '../policy/builders.js';
import { sampleVerdict } from './verdicts.js';

const LEVELS = new Set(['error', 'warning', 'note', 'none']);

/**
 * Checks what SARIF 2.1.0 requires and what code scanning's upload adds to it: version and runs;
 * per run a driver name, rules with unique ids and a numeric `security-severity`, a distinct
 * `automationDetails.id`; per result a known rule, a level, a message and a relative file location.
 */
function structuralProblems(log: SarifLog): string[] {
  const problems: string[] = [];
  if (log.version !== '2.1.0') problems.push('version is not 2.1.0');
  if (!log.$schema.includes('sarif')) problems.push('$schema does not name SARIF');
  if (!Array.isArray(log.runs) || log.runs.length === 0) problems.push('no runs');
  const automationIds = log.runs.map((r) => r.automationDetails?.id);
  if (new Set(automationIds).size !== automationIds.length || automationIds.some((id) => !id)) {
    problems.push(`automationDetails ids are missing or repeated: ${automationIds.join(', ')}`);
  }
  log.runs.forEach((run, r) => {
    const rules = run.tool.driver.rules;
    if (!run.tool.driver.name) problems.push(`run ${r}: no driver name`);
    const ids = rules.map((rule) => rule.id);
    if (new Set(ids).size !== ids.length) problems.push(`run ${r}: rule ids repeat`);
    for (const rule of rules) {
      const sev = rule.properties['security-severity'];
      if (typeof sev !== 'string' || !/^\d+(\.\d+)?$/.test(sev) || Number(sev) <= 0 || Number(sev) > 10) {
        problems.push(`run ${r}: rule ${rule.id} has security-severity ${String(sev)}`);
      }
      if (!rule.shortDescription.text || !rule.fullDescription.text || !rule.help.text) {
        problems.push(`run ${r}: rule ${rule.id} lacks descriptions or help`);
      }
      if (!LEVELS.has(rule.defaultConfiguration.level)) problems.push(`run ${r}: rule ${rule.id} level`);
    }
    run.results.forEach((res, i) => {
      if (rules[res.ruleIndex]?.id !== res.ruleId)
        problems.push(`run ${r} result ${i}: ruleIndex does not match ruleId`);
      if (!LEVELS.has(res.level)) problems.push(`run ${r} result ${i}: level ${res.level}`);
      if (!res.message.text) problems.push(`run ${r} result ${i}: empty message`);
      const loc = res.locations[0]?.physicalLocation;
      if (!loc || !loc.artifactLocation.uri || /^\/|^[a-z]+:/i.test(loc.artifactLocation.uri)) {
        problems.push(`run ${r} result ${i}: location is not a relative file`);
      }
      if (!loc || !Number.isInteger(loc.region.startLine) || loc.region.startLine < 1) {
        problems.push(`run ${r} result ${i}: startLine`);
      }
    });
  });
  return problems;
}

describe('SARIF 2.1.0', () => {
  const log = buildSarif(sampleVerdict(), { toolVersion: '0.1.0' });

  it('is structurally valid for code scanning', () => {
    expect(structuralProblems(log)).toEqual([]);
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });

  it('has one run per package, each with its own category, driver Airlock', () => {
    expect(log.runs.map((r) => r.automationDetails?.id)).toEqual(['airlock/web-app/', 'airlock/cli-tool/']);
    expect(log.runs.map((r) => r.tool.driver.name)).toEqual(['Airlock', 'Airlock']);
    expect(log.runs[0]!.tool.driver.version).toBe('0.1.0');
    expect(log.runs[1]!.results).toEqual([]);
  });

  it('keeps categories distinct when one name comes in two versions', () => {
    const two = evaluateGate([pkg({ version: '1.0.0' }), pkg({ version: '2.0.0' })], settings(), NOW);
    const ids = buildSarif(two, { category: 'deps' }).runs.map((r) => r.automationDetails?.id);
    expect(ids).toEqual(['deps/web-app-1.0.0/', 'deps/web-app-2.0.0/']);
  });

  it('sets result levels by severity', () => {
    const byRule = Object.fromEntries(log.runs[0]!.results.map((r) => [r.ruleId, r.level]));
    expect(byRule).toEqual({
      'GHSA-jf85-cpcp-j695': 'error',
      'CVE-2020-28500': 'error',
      'CVE-2022-25883': 'warning',
      'CVE-2024-0001': 'note',
    });
  });

  it('locates a finding at its file and line, or at the package file', () => {
    const [critical, medium] = log.runs[0]!.results;
    expect(critical!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'package-lock.json' },
      region: { startLine: 42 },
    });
    expect(medium!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('web-app-2.1.0.tgz');
  });

  it('gives one rule per advisory even when several components share it', () => {
    const verdict = evaluateGate(
      [
        pkg({
          findings: [
            finding({ id: 'CVE-2021-1', component: 'a', severity: 'medium' }),
            finding({ id: 'CVE-2021-1', component: 'b', severity: 'critical' }),
          ],
        }),
      ],
      settings(),
      NOW,
    );
    const run = buildSarif(verdict).runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['CVE-2021-1']);
    expect(run.results.map((r) => r.ruleIndex)).toEqual([0, 0]);
    expect(run.tool.driver.rules[0]!.properties['security-severity']).toBe('9.5');
    expect(run.tool.driver.rules[0]!.defaultConfiguration.level).toBe('error');
  });

  it('uses the CVSS score when it agrees with the severity, else the middle of its band', () => {
    const s = settings({ unknownSeverity: 'medium' });
    const judged = (over: Parameters<typeof finding>[0]) =>
      evaluateGate([pkg({ findings: [finding(over)] })], s, NOW).packages[0]!.findings[0]!;
    expect(securitySeverity(judged({ severity: 'critical', cvssScore: 9.1 }), s)).toBe(9.1);
    expect(securitySeverity(judged({ severity: 'high', cvssScore: 9.8 }), s)).toBe(8.0);
    expect(securitySeverity(judged({ severity: 'low', cvssScore: null }), s)).toBe(2.0);
    expect(securitySeverity(judged({ severity: 'unknown', cvssScore: null }), s)).toBe(5.5);
    expect(securitySeverity(judged({ severity: 'unknown', cvssScore: 7.2 }), s)).toBe(7.2);
  });

  it('marks allowlisted findings as externally suppressed with the reason', () => {
    const suppressed = log.runs[0]!.results.find((r) => r.ruleId === 'CVE-2020-28500')!;
    expect(suppressed.suppressions).toEqual([
      { kind: 'external', justification: 'ReDoS input is never user-controlled.' },
    ]);
    expect(log.runs[0]!.results.filter((r) => r.suppressions)).toHaveLength(1);
  });

  it('encodes unusual characters in paths as URI references', () => {
    const verdict = evaluateGate(
      [pkg({ findings: [finding({ location: { path: './sub dir/req#1.txt' } })] })],
      settings(),
      NOW,
    );
    const uri = buildSarif(verdict).runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri;
    expect(uri).toBe('sub%20dir/req%231.txt');
  });
});
