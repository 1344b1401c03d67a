import type { ScanCoverage } from '../../src/policy/coverage.js';
import { evaluateGate } from '../../src/policy/gate.js';
import type { GateSettings } from '../../src/policy/settings.js';
import type { PackageScan } from '../../src/policy/findings.js';
import { buildCheckRunOutput } from '../../src/report/check-run.js';
import { renderSummary } from '../../src/report/markdown.js';
import { buildPrComment } from '../../src/report/pr-comment.js';
import { buildSarif } from '../../src/report/sarif.js';
import { NOW, pkg, settings } from '../policy/builders.js';

const DAY = 86400 * 1000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

/** 4,212 components, two of them PyPI versions the scanner could not read; npm data 2 days old, PyPI 9. */
const PARTIAL: ScanCoverage = {
  complete: false,
  evaluated: 4210,
  notEvaluated: 2,
  notEvaluatedComponents: [
    {
      ecosystem: 'PyPI',
      name: 'foo',
      version: '2.0.0-final',
      reason: 'unparseable_version',
      detail: "PyPI version '2.0.0-final' is not a valid PEP 440 version",
      location: { path: 'requirements.txt', line: 4 },
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
    {
      ecosystem: 'npm',
      components: 4200,
      evaluated: 4200,
      advisories: 3412,
      advisoriesUpdatedAt: daysAgo(2),
    },
    { ecosystem: 'PyPI', components: 12, evaluated: 10, advisories: 950, advisoriesUpdatedAt: daysAgo(9) },
    { ecosystem: 'Go', components: 0, evaluated: 0, advisories: 0, advisoriesUpdatedAt: null },
  ],
};

const COMPLETE: ScanCoverage = {
  complete: true,
  evaluated: 12,
  notEvaluated: 0,
  notEvaluatedComponents: [],
  limitReached: null,
  ecosystems: [
    { ecosystem: 'npm', components: 12, evaluated: 12, advisories: 1, advisoriesUpdatedAt: daysAgo(0.5) },
  ],
};

function verdictOf(packages: PackageScan[], overrides: Partial<GateSettings> = {}) {
  return evaluateGate(packages, settings(overrides), NOW);
}

describe('the job summary', () => {
  it('states the coverage, the components not evaluated and the advisory data age per ecosystem', () => {
    const md = renderSummary(verdictOf([pkg({ coverage: PARTIAL })]));
    expect(md).toContain(
      '**Coverage:** ⚠️ **incomplete** for 1 package — 4,210 of 4,212 components evaluated.',
    );
    expect(md).toContain(
      "**Coverage:** ⚠️ 4,210 of 4,212 components evaluated; 2 not: 'foo' 2.0.0-final (PyPI version '2.0.0-final' is not a valid PEP 440 version), 'bar' latest (PyPI version 'latest' is not a valid PEP 440 version)",
    );
    expect(md).toContain(
      '**Advisory data:** npm 2 days old (3,412 advisories) · ⚠️ PyPI 9 days old, over max-advisory-age 7d (950 advisories)',
    );
    expect(md).not.toContain('Go advisory data');
    expect(md).toContain('| PyPI | foo | 2.0.0-final |');
    expect(md).toContain('`requirements.txt:4`');
    expect(md).toContain(
      'No vulnerabilities found in the components that were evaluated; the scan was incomplete.',
    );
  });

  it('keeps the incompleteness prominent when on-incomplete lets the gate pass', () => {
    const md = renderSummary(verdictOf([pkg({ coverage: PARTIAL })], { onIncomplete: 'pass' }));
    expect(md).toContain('## Airlock gate: ✅ passed');
    expect(md).toContain(
      '- The scan of web-app 2.1.0 was incomplete (see its coverage); it passes only because on-incomplete is pass.',
    );
    expect(md).toContain('**Coverage:** ⚠️ **incomplete** for 1 package');
    expect(md).toMatch(/- ⚠️ web-app 2\.1\.0: PyPI: 2 components not evaluated: .*on-incomplete is pass\./);
  });

  it('says a complete scan evaluated everything', () => {
    const md = renderSummary(verdictOf([pkg({ coverage: COMPLETE })]));
    expect(md).toContain('**Coverage:** 12 of 12 components evaluated.');
    expect(md).toContain('**Advisory data:** npm 12 hours old (1 advisory)');
    expect(md).toContain('No vulnerabilities found.');
  });

  it('says when the repository does not report coverage', () => {
    const md = renderSummary(verdictOf([pkg()]));
    expect(md).toContain('**Coverage:** coverage not reported by the repository.');
    expect(md).toContain('**Coverage:** coverage not reported by the repository');
  });
});

describe('the pull-request comment and the check run', () => {
  it('show an incomplete package with its coverage even when nothing else is said about it', () => {
    const body = buildPrComment(verdictOf([pkg({ coverage: PARTIAL })]), { jobKey: 'ci/build' });
    expect(body).toContain(
      '**Coverage:** ⚠️ **incomplete** for 1 package — 4,210 of 4,212 components evaluated.',
    );
    expect(body).toContain('#### web-app 2.1.0');
    expect(body).toContain("4,210 of 4,212 components evaluated; 2 not: 'foo' 2.0.0-final");
    expect(body).toContain('⚠️ PyPI 9 days old, over max-advisory-age 7d');
  });

  it('title the check run with the incompleteness', () => {
    const failed = buildCheckRunOutput(verdictOf([pkg({ coverage: PARTIAL })]));
    expect(failed.conclusion).toBe('failure');
    expect(failed.title).toBe('Failed: no vulnerabilities, scan incomplete');
    const passed = buildCheckRunOutput(verdictOf([pkg({ coverage: PARTIAL })], { onIncomplete: 'pass' }));
    expect(passed.title).toBe('Passed: no vulnerabilities, scan incomplete');
    expect(passed.text).toContain('**Advisory data:**');
  });
});

describe('the SARIF file', () => {
  it('carries the coverage in the run properties and each problem as a notification', () => {
    const log = buildSarif(verdictOf([pkg({ coverage: PARTIAL })]));
    const run = log.runs[0]!;
    expect(log.version).toBe('2.1.0');
    expect(run.properties?.coverage).toMatchObject({
      status: 'incomplete',
      evaluated: 4210,
      notEvaluated: 2,
      summary: expect.stringMatching(/^4,210 of 4,212 components evaluated; 2 not: 'foo'/),
      advisoryData:
        'npm 2 days old (3,412 advisories); PyPI 9 days old, over max-advisory-age 7d (950 advisories)',
      ecosystems: expect.arrayContaining([
        expect.objectContaining({ ecosystem: 'PyPI', ageSeconds: 9 * 86400, freshness: 'stale' }),
      ]),
    });
    expect(run.invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          expect.objectContaining({
            level: 'error',
            message: { text: expect.stringMatching(/advisory data for PyPI is 9 days old/) },
          }),
          expect.objectContaining({
            level: 'error',
            message: { text: expect.stringMatching(/PyPI: 2 components not evaluated/) },
          }),
        ],
      },
    ]);
    expect(run.results).toEqual([]);
  });

  it('notifies at warning level when on-incomplete is pass, and adds nothing for a complete scan', () => {
    const passed = buildSarif(verdictOf([pkg({ coverage: PARTIAL })], { onIncomplete: 'pass' }));
    expect(passed.runs[0]!.invocations?.[0]?.toolExecutionNotifications?.[0]?.level).toBe('warning');
    const clean = buildSarif(verdictOf([pkg({ coverage: COMPLETE })]));
    expect(clean.runs[0]!.invocations).toBeUndefined();
    expect(clean.runs[0]!.properties?.coverage).toMatchObject({
      status: 'complete',
      summary: '12 of 12 components evaluated',
    });
  });

  it('records a repository that does not report coverage', () => {
    const log = buildSarif(verdictOf([pkg()]));
    expect(log.runs[0]!.properties?.coverage).toMatchObject({
      status: 'not-reported',
      summary: 'coverage not reported by the repository',
      evaluated: null,
    });
  });
});
