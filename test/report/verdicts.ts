import { evaluateGate } from '../../src/policy/gate.js';
import type { Verdict } from '../../src/policy/verdict.js';
import { finding, NOW, pkg, settings } from '../policy/builders.js';

/**
 * A failing verdict over two packages: `web-app` with a deciding critical (located in its lock
 * file), a tolerated medium, an allowlisted high and an unfixed low; `cli-tool` clean. The
 * allowlist also has an expired and a stale entry.
 */
export function sampleVerdict(): Verdict {
  return evaluateGate(
    [
      pkg({
        name: 'web-app',
        version: '2.1.0',
        url: 'http://127.0.0.1:8080/acme/dev/web-app/',
        findings: [
          finding({
            id: 'GHSA-jf85-cpcp-j695',
            aliases: ['CVE-2019-10744'],
            severity: 'critical',
            component: 'lodash',
            installedVersion: '4.17.11',
            fixedVersion: '4.17.12',
            title: 'Prototype Pollution in lodash | defaultsDeep',
            cvssScore: 9.1,
            references: ['https://github.com/advisories/GHSA-jf85-cpcp-j695'],
            location: { path: 'package-lock.json', line: 42 },
          }),
          finding({
            id: 'CVE-2022-25883',
            severity: 'medium',
            component: 'semver',
            installedVersion: '5.7.1',
            fixedVersion: '5.7.2',
          }),
          finding({
            id: 'CVE-2020-28500',
            severity: 'high',
            component: 'lodash',
            installedVersion: '4.17.11',
            cvssScore: 5.3,
          }),
          finding({ id: 'CVE-2024-0001', severity: 'low', component: 'tiny', fixedVersion: null }),
        ],
      }),
      pkg({
        name: 'cli-tool',
        version: '0.3.0',
        filename: 'cli_tool-0.3.0-py3-none-any.whl',
        format: 'python',
      }),
    ],
    settings({
      failOn: 'high',
      allowlist: [
        {
          index: 0,
          id: 'CVE-2020-28500',
          reason: 'ReDoS input is never user-controlled.',
          expires: '2025-12-31',
        },
        { index: 1, id: 'CVE-2018-3721', expires: '2025-01-01', reason: 'old' },
        { index: 2, id: 'CVE-2000-0001', package: { name: 'gone' } },
      ],
    }),
    NOW,
  );
}
