import { evaluateGate } from '../../src/policy/gate.js';
import { buildPrComment, commentMarker, makeJobKey } from '../../src/report/pr-comment.js';
import { GITHUB_TEXT_LIMIT, truncateMarkdown, utf8Length } from '../../src/report/truncate.js';
import { findings, NOW, pkg, settings } from '../policy/builders.js';
import { sampleVerdict } from './verdicts.js';

describe('job keys and markers', () => {
  it('gives matrix jobs distinct keys, whatever the order of the matrix values', () => {
    const a = makeJobKey({ workflow: 'CI', job: 'build', matrix: { os: 'ubuntu-latest', node: 20 } });
    const b = makeJobKey({ workflow: 'CI', job: 'build', matrix: { node: 20, os: 'ubuntu-latest' } });
    const c = makeJobKey({ workflow: 'CI', job: 'build', matrix: { node: 22, os: 'ubuntu-latest' } });
    expect(a).toBe('CI/build[node=20,os=ubuntu-latest]');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(commentMarker(a)).not.toBe(commentMarker(c));
  });

  it('keeps keys of plain jobs and steps apart', () => {
    expect(makeJobKey({ workflow: 'CI', job: 'build' })).toBe('CI/build');
    expect(makeJobKey({ workflow: 'CI', job: 'build', step: 'gate prod' })).toBe('CI/build#gate_prod');
    expect(makeJobKey({ workflow: 'CI', job: 'build', matrix: null })).toBe('CI/build');
  });

  it('makes a marker that cannot end its HTML comment early', () => {
    const marker = commentMarker(
      makeJobKey({ workflow: 'Release --> now', job: 'a--b', matrix: { x: '-->' } }),
    );
    expect(marker.startsWith('<!-- airlock:')).toBe(true);
    expect(marker.slice(4, -4)).not.toMatch(/--|>/);
  });
});

describe('pull-request comment body', () => {
  it('starts with the marker and shows the result, reasons and deciding findings', () => {
    const body = buildPrComment(sampleVerdict(), {
      jobKey: 'CI/build',
      sha: '0123456789abcdef',
      promotions: [],
    });
    expect(body.split('\n')[0]).toBe('<!-- airlock:CI/build -->');
    expect(body).toContain('### Airlock gate: ❌ failed for 0123456');
    expect(body).toContain(
      '| Critical | [GHSA-jf85-cpcp-j695](https://github.com/advisories/GHSA-jf85-cpcp-j695) | lodash | 4.17.11 | 4.17.12 |',
    );
    expect(body).toContain('**Allowlist:** 1 finding suppressed.');
    expect(body).not.toContain('cut short');
  });

  it('is cut under 65,536 characters with a note, keeping the marker, when the report is larger', () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      pkg({ name: `pkg-${i}`, findings: findings(60, { severity: 'critical', title: 'é'.repeat(100) }) }),
    );
    const verdict = evaluateGate(many, settings(), NOW);
    const body = buildPrComment(verdict, {
      jobKey: 'CI/build[node=20]',
      maxFindingRows: 1000,
      detailsUrl: 'https://github.com/acme/web/actions/runs/7',
    });
    expect(body.length).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(utf8Length(body)).toBeLessThan(GITHUB_TEXT_LIMIT);
    expect(body.length).toBeGreaterThan(GITHUB_TEXT_LIMIT / 4);
    expect(body.startsWith('<!-- airlock:CI/build[node=20] -->\n')).toBe(true);
    expect(body).toContain(
      'This comment was cut short to stay under GitHub’s 65,536-character limit. [The job summary](https://github.com/acme/web/actions/runs/7) has the full report.',
    );
  });
});

describe('truncateMarkdown', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateMarkdown('short\n', { limit: 100 })).toEqual({ text: 'short\n', truncated: false });
  });

  it('cuts at a line boundary, closes open details and never splits a character', () => {
    const text = `<details><summary>x</summary>\n\n${'😀😀😀😀\n'.repeat(200)}</details>\n`;
    const { text: cut, truncated } = truncateMarkdown(text, { limit: 1000, note: 'cut' });
    expect(truncated).toBe(true);
    expect(utf8Length(cut)).toBeLessThan(1000);
    expect(cut).not.toContain('\uFFFD');
    expect(cut).toMatch(/😀\n<\/details>\n\n---\ncut\n$/);
  });
});
