import type { Finding, PackageScan } from '../../src/policy/findings.js';
import { resolveGateSettings, type GateSettings } from '../../src/policy/settings.js';

let counter = 0;

/** A finding with sensible values; every call gets a distinct id unless one is given. */
export function finding(overrides: Partial<Finding> = {}): Finding {
  counter += 1;
  return {
    id: `CVE-2024-${String(10000 + counter)}`,
    aliases: [],
    title: 'Example vulnerability',
    description: 'An example advisory.',
    severity: 'high',
    severitySource: 'nvd',
    component: 'left-pad',
    installedVersion: '1.0.0',
    fixedVersion: '1.0.1',
    references: [],
    cvssScore: null,
    ...overrides,
  };
}

/** `n` findings of one severity. */
export function findings(n: number, overrides: Partial<Finding> = {}): Finding[] {
  return Array.from({ length: n }, () => finding(overrides));
}

/** A package whose scan completed with the given findings. */
export function pkg(overrides: Partial<PackageScan> = {}): PackageScan {
  return {
    name: 'web-app',
    version: '2.1.0',
    format: 'npm',
    filename: 'web-app-2.1.0.tgz',
    license: 'MIT',
    scanStatus: 'complete',
    findings: [],
    ...overrides,
  };
}

/** Gate settings: the defaults with overrides. */
export function settings(overrides: Partial<GateSettings> = {}): GateSettings {
  return resolveGateSettings(overrides);
}

/** A fixed instant for expiry tests. */
export const NOW = new Date('2025-06-15T12:00:00Z');
