import { Value } from 'typebox/value';
import {
  CvssScore,
  ScannedPackageRef,
  SEVERITIES,
  Severity,
  Vulnerability,
  VulnerabilityLocation,
  VulnerabilityScan,
  VulnerabilityScanResults,
  VulnerabilityVersion,
} from '../../src/api/vulnerabilities.js';
import { findingsFromScanResults, highestCvssScore } from '../../src/policy/findings.js';

function vulnerability(overrides: Partial<Vulnerability> = {}): Vulnerability {
  return {
    vulnerability_id: 'GHSA-jf85-cpcp-j695',
    aliases: ['CVE-2019-10744'],
    title: 'Prototype Pollution in lodash',
    description: 'Versions of lodash before 4.17.12 are vulnerable to Prototype Pollution.',
    severity: 'Critical',
    severity_source: 'ghsa',
    package_name: 'lodash',
    affected_version: {
      major: 4,
      minor: 17,
      patch: 11,
      operator: '=',
      version: '4.17.11',
      raw_version: '4.17.11',
    },
    fixed_version: {
      major: 4,
      minor: 17,
      patch: 12,
      operator: '>=',
      version: '4.17.12',
      raw_version: '4.17.12',
    },
    references: ['https://github.com/advisories/GHSA-jf85-cpcp-j695'],
    cvss_scores: { nvd: { V3Score: 9.1, V2Score: 6.4 }, ghsa: { V3Score: 9.8 } },
    location: { path: 'package-lock.json', line: 120 },
    ...overrides,
  };
}

function results(vulns: Vulnerability[]): VulnerabilityScanResults {
  return {
    identifier: 'scan1',
    created_at: '2025-06-15T12:00:00Z',
    package: {
      identifier: 'pkg1',
      name: 'web-app',
      version: '2.1.0',
      url: 'http://127.0.0.1/packages/acme/dev/pkg1/',
    },
    has_vulnerabilities: vulns.length > 0,
    max_severity: vulns.length ? 'Critical' : null,
    num_vulnerabilities: vulns.length,
    scan_id: 1,
    scans: [{ type: 'npm', target: 'package-lock.json', results: vulns }],
  };
}

describe('scan results to findings', () => {
  it('accepts a full document under the wire schema', () => {
    expect(Value.Check(VulnerabilityScanResults, results([vulnerability()]))).toBe(true);
  });

  it('accepts a Cloudsmith document without the Airlock extras', () => {
    const { aliases: _aliases, location: _location, ...plain } = vulnerability();
    expect(Value.Check(VulnerabilityScanResults, results([plain]))).toBe(true);
  });

  it('refuses a severity outside the five levels', () => {
    const doc = results([vulnerability({ severity: 'Severe' as Vulnerability['severity'] })]);
    expect(Value.Check(VulnerabilityScanResults, doc)).toBe(false);
  });

  it('maps every field the gate and reports use', () => {
    const [f] = findingsFromScanResults(results([vulnerability()]));
    expect(f).toEqual({
      id: 'GHSA-jf85-cpcp-j695',
      aliases: ['CVE-2019-10744'],
      title: 'Prototype Pollution in lodash',
      description: 'Versions of lodash before 4.17.12 are vulnerable to Prototype Pollution.',
      severity: 'critical',
      severitySource: 'ghsa',
      component: 'lodash',
      installedVersion: '4.17.11',
      fixedVersion: '4.17.12',
      references: ['https://github.com/advisories/GHSA-jf85-cpcp-j695'],
      cvssScore: 9.8,
      location: { path: 'package-lock.json', line: 120 },
      target: 'package-lock.json',
    });
  });

  it('reads a missing fix, missing aliases and unknown severity', () => {
    const { aliases: _aliases, ...plain } = vulnerability({
      fixed_version: null,
      severity: 'Unknown',
      cvss_scores: {},
    });
    const [f] = findingsFromScanResults(results([plain]));
    expect(f).toMatchObject({ fixedVersion: null, aliases: [], severity: 'unknown', cvssScore: null });
  });

  it('prefers the newest CVSS version of each source and the highest source', () => {
    expect(highestCvssScore({ a: { V2Score: 10, V3Score: 5 }, b: { V40Score: 6.1 } })).toBe(6.1);
    expect(highestCvssScore({ a: { V2Vector: 'AV:N' } })).toBeNull();
  });
});

describe('scan-results wire schemas', () => {
  it('accepts each of the five severities', () => {
    for (const s of SEVERITIES) expect(Value.Check(Severity, s)).toBe(true);
  });

  it('documents every field, as the contract the scanner implements', () => {
    const schemas = {
      Vulnerability,
      VulnerabilityVersion,
      VulnerabilityLocation,
      CvssScore,
      ScannedPackageRef,
      VulnerabilityScan,
      VulnerabilityScanResults,
    };
    const undocumented: string[] = [];
    for (const [name, schema] of Object.entries(schemas)) {
      const properties = (schema as unknown as { properties: Record<string, { description?: string }> })
        .properties;
      for (const [field, fieldSchema] of Object.entries(properties)) {
        if (!fieldSchema.description?.trim()) undocumented.push(`${name}.${field}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
