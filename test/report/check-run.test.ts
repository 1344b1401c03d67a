import { evaluateGate } from '../../src/policy/gate.js';
import { buildCheckRunOutput } from '../../src/report/check-run.js';
import { GITHUB_TEXT_LIMIT } from '../../src/report/truncate.js';
import { findings, NOW, pkg, settings } from '../policy/builders.js';
import { sampleVerdict } from './verdicts.js';

describe('check-run output', () => {
  it('has the conclusion, a title with the counts, the reasons and the packages', () => {
    const out = buildCheckRunOutput(sampleVerdict());
    expect(out.conclusion).toBe('failure');
    expect(out.title).toBe('Failed: 1 critical, 1 high, 1 medium, 1 low');
    expect(out.summary).toContain(
      '- web-app 2.1.0 has 1 critical finding; fail-on is high, so none are allowed.',
    );
    expect(out.summary).toContain('| cli-tool 0.3.0 | ✅ passed |');
    expect(out.text).toContain('### ❌ web-app 2.1.0 (npm)');
  });

  it('annotates only findings that have a file, at their line, as failures when they decide', () => {
    const out = buildCheckRunOutput(sampleVerdict());
    expect(out.annotations).toEqual([
      expect.objectContaining({
        path: 'package-lock.json',
        start_line: 42,
        end_line: 42,
        annotation_level: 'failure',
        title: 'GHSA-jf85-cpcp-j695 (Critical) in lodash',
        raw_details: 'https://github.com/advisories/GHSA-jf85-cpcp-j695',
      }),
    ]);
    expect(out.annotations[0]!.message).toMatch(
      /lodash 4\.17\.11 \(in web-app 2\.1\.0\) is affected by GHSA-jf85-cpcp-j695.*Fixed in 4\.17\.12\. This finding fails the gate\./,
    );
  });

  it('passes with a success conclusion and no annotations when nothing has a file', () => {
    const out = buildCheckRunOutput(
      evaluateGate([pkg({ findings: findings(2, { severity: 'low' }) })], settings(), NOW),
    );
    expect(out).toMatchObject({ conclusion: 'success', title: 'Passed: 2 low', annotations: [] });
  });

  it('keeps summary and text under GitHub’s limit for a very large verdict', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      pkg({ name: `pkg-${i}`, findings: findings(150, { severity: 'critical', title: 'x'.repeat(200) }) }),
    );
    const out = buildCheckRunOutput(evaluateGate(many, settings(), NOW), { maxFindingRows: 1000 });
    expect(out.text.length).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(out.summary.length).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(out.text).toMatch(
      /Cut short to fit GitHub’s size limit; the job summary has the full report\.\n$/,
    );
  });
});
