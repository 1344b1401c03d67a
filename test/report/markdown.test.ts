import { evaluateGate } from '../../src/policy/gate.js';
import { renderSummary } from '../../src/report/markdown.js';
import { NOW, pkg, settings } from '../policy/builders.js';
import { sampleVerdict } from './verdicts.js';

describe('job summary markdown', () => {
  const verdict = sampleVerdict();
  const md = renderSummary(verdict, {
    title: 'Airlock gate',
    promotions: [
      { name: 'web-app', version: '2.1.0', status: 'quarantined', detail: 'the gate failed' },
      {
        name: 'cli-tool',
        version: '0.3.0',
        status: 'not-promoted',
        detail: 'another package failed the gate',
      },
    ],
    links: [{ label: 'Workflow run', url: 'https://github.com/acme/web/actions/runs/7' }],
  });

  it('opens with the result and the reasons', () => {
    expect(
      md.startsWith(
        '## Airlock gate: ❌ failed\n\n- web-app 2.1.0 has 1 critical finding; fail-on is high, so none are allowed.',
      ),
    ).toBe(true);
  });

  it('shows an overview row per package with counts by severity', () => {
    expect(md).toContain(
      '| [web-app 2.1.0](http://127.0.0.1:8080/acme/dev/web-app/) | ❌ failed | 1 | 1 | 1 | 1 | 0 |',
    );
    expect(md).toContain('| cli-tool 0.3.0 | ✅ passed | 0 | 0 | 0 | 0 | 0 |');
  });

  it('lists the deciding finding with its fixed version, escaping table syntax in the title', () => {
    expect(md).toContain('**Findings that decided the verdict (1)**');
    expect(md).toContain(
      '| Critical | [GHSA-jf85-cpcp-j695](https://github.com/advisories/GHSA-jf85-cpcp-j695) | lodash | 4.17.11 | 4.17.12 | Prototype Pollution in lodash \\| defaultsDeep |',
    );
  });

  it('shows allowlist effects: suppressed with reason, expired and stale entries', () => {
    expect(md).toContain(
      '| CVE-2020-28500 | lodash | 1 (until 2025-12-31) | ReDoS input is never user-controlled. |',
    );
    expect(md).toMatch(/⏰ Entry 2 `CVE-2018-3721` expired \(2025-01-01\) and was not applied — old/);
    expect(md).toMatch(/🧹 Entry 3 `CVE-2000-0001 \(gone\)` matched no finding/);
    expect(md).toContain('### Allowlist\n\n1 finding suppressed.');
  });

  it('shows every finding with what the gate did with it', () => {
    expect(md).toContain('<details><summary>All 4 findings</summary>');
    expect(md).toContain('| Medium | CVE-2022-25883 | semver | 5.7.1 | 5.7.2 | within limits |');
    expect(md).toContain('| Low | CVE-2024-0001 | tiny | 1.0.0 | no fix | within limits |');
    expect(md).toContain('| High | CVE-2020-28500 | lodash | 4.17.11 | 1.0.1 | allowlisted |');
  });

  it('shows the promotion passed in and the links', () => {
    expect(md).toContain('**Promotion:** Quarantined (the gate failed).');
    expect(md).toContain('**Promotion:** Not promoted: another package failed the gate.');
    expect(md).toContain('[Workflow run](https://github.com/acme/web/actions/runs/7)');
  });

  it('says a clean package has no vulnerabilities and names its file', () => {
    expect(md).toContain('### ✅ cli-tool 0.3.0 (python)');
    expect(md).toContain('file `cli_tool-0.3.0-py3-none-any.whl` · scan: complete');
    expect(md).toContain('No vulnerabilities found.');
  });

  it('describes a promotion by copy with tags', () => {
    const passed = evaluateGate([pkg()], settings(), NOW);
    const out = renderSummary(passed, {
      promotions: [
        {
          name: 'web-app',
          version: '2.1.0',
          status: 'promoted',
          mode: 'copy',
          destination: 'prod',
          tags: ['latest', 'stable'],
        },
      ],
    });
    expect(out).toContain('## Airlock gate: ✅ passed');
    expect(out).toContain('- The package passes: nothing counted is at or above high (fail-on).');
    expect(out).toContain('**Promotion:** Copied to `prod` with tags `latest`, `stable`.');
  });

  it('escapes HTML in text that comes from packages', () => {
    const out = renderSummary(
      evaluateGate([pkg({ name: '<img src=x>', scanStatus: 'timeout' })], settings(), NOW),
    );
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x&gt;');
  });
});
