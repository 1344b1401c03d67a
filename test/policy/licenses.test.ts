import { evaluateGate } from '../../src/policy/gate.js';
import { checkLicense } from '../../src/policy/licenses.js';
import type { GateSettings } from '../../src/policy/settings.js';
import { NOW, pkg, settings } from './builders.js';

describe('license rules', () => {
  const cases: Array<{ license: string | null; deny: string[]; status: string; denied?: string[] }> = [
    { license: 'MIT', deny: ['GPL-3.0-only'], status: 'allowed' },
    { license: 'GPL-3.0-only', deny: ['GPL-3.0-only'], status: 'denied', denied: ['GPL-3.0-only'] },
    { license: 'MIT OR GPL-3.0-only', deny: ['GPL-3.0-only'], status: 'allowed' },
    { license: 'MIT AND GPL-3.0-only', deny: ['GPL-3.0-only'], status: 'denied', denied: ['GPL-3.0-only'] },
    {
      license: '(MIT AND AGPL-3.0-only) OR GPL-3.0-or-later',
      deny: ['AGPL-3.0', 'GPL-3.0'],
      status: 'denied',
      denied: ['AGPL-3.0', 'GPL-3.0'],
    },
    { license: '(MIT AND BSD-3-Clause) OR GPL-3.0-or-later', deny: ['GPL-3.0'], status: 'allowed' },
    { license: 'GPL-3.0+', deny: ['GPL-3.0-only'], status: 'denied', denied: ['GPL-3.0-only'] },
    {
      license: 'GPL-2.0-only WITH Classpath-exception-2.0',
      deny: ['GPL-2.0-only'],
      status: 'denied',
      denied: ['GPL-2.0-only'],
    },
    { license: 'gpl-3.0-only', deny: ['GPL-3.0-only'], status: 'denied', denied: ['GPL-3.0-only'] },
    { license: 'Apache 2.0', deny: ['GPL-3.0-only'], status: 'allowed' },
    { license: 'GPLv3', deny: ['GPL-3.0-only'], status: 'denied', denied: ['GPL-3.0-only'] },
    {
      license: 'LicenseRef-Proprietary',
      deny: ['LicenseRef-Proprietary'],
      status: 'denied',
      denied: ['LicenseRef-Proprietary'],
    },
    { license: null, deny: ['GPL-3.0-only'], status: 'unknown' },
    { license: 'UNLICENSED', deny: ['Unlicense'], status: 'unknown' },
    { license: 'Some custom terms', deny: ['GPL-3.0-only'], status: 'unknown' },
    { license: 'GPL-3.0-only', deny: [], status: 'not-checked' },
  ];

  it.each(cases)(
    'judges $license against deny list $deny as $status',
    ({ license, deny, status, denied }) => {
      const check = checkLicense(license, deny);
      expect(check.status).toBe(status);
      if (denied) expect(check.denied.sort()).toEqual(denied.sort());
    },
  );

  it('says how free text was read', () => {
    expect(checkLicense('Apache 2.0', ['MIT'])).toMatchObject({
      interpreted: 'Apache-2.0',
      declared: 'Apache 2.0',
    });
  });

  const gateCases: Array<{
    name: string;
    license: string | null;
    settings: Partial<GateSettings>;
    result: 'pass' | 'fail';
    text: RegExp;
  }> = [
    {
      name: 'a denied license fails the gate',
      license: 'AGPL-3.0-only',
      settings: { denyLicenses: ['AGPL-3.0-only'] },
      result: 'fail',
      text: /web-app 2\.1\.0 is licensed AGPL-3\.0-only, which deny-licenses forbids \(AGPL-3\.0-only\)\./,
    },
    {
      name: 'an expression with an allowed branch passes',
      license: 'MIT OR GPL-3.0',
      settings: { denyLicenses: ['GPL-3.0'] },
      result: 'pass',
      text: /passes/,
    },
    {
      name: 'an unknown license passes with a note by default',
      license: null,
      settings: { denyLicenses: ['GPL-3.0'] },
      result: 'pass',
      text: /declares no license, so deny-licenses could not be checked/,
    },
    {
      name: 'an unknown license fails when unknown-license is fail',
      license: 'Custom',
      settings: { denyLicenses: ['GPL-3.0'], unknownLicense: 'fail' },
      result: 'fail',
      text: /not an SPDX expression \("Custom"\), and unknown-license is fail/,
    },
    {
      name: 'no deny list checks nothing',
      license: 'AGPL-3.0-only',
      settings: {},
      result: 'pass',
      text: /passes/,
    },
  ];

  it.each(gateCases)('$name', (c) => {
    const verdict = evaluateGate([pkg({ license: c.license })], settings(c.settings), NOW);
    expect(verdict.result).toBe(c.result);
    expect([...verdict.reasons, ...verdict.notes].join('\n')).toMatch(c.text);
  });
});
