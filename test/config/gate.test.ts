import fs from 'node:fs';
import path from 'node:path';
import { readGateRules, readGateSettings } from '../../src/config/gate.js';
import { DEFAULT_GATE_SETTINGS } from '../../src/policy/settings.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { tempDir } from '../helpers/server.js';

const PACKAGES = JSON.stringify([
  { slug_perm: 'p1', name: 'app', version: '1.0.0', format: 'npm', filename: 'app.tgz', url: 'u' },
]);
const BASE = {
  'api-url': 'https://repo.test',
  'api-key': 'k',
  owner: 'acme',
  repo: 'dev',
  packages: PACKAGES,
};

describe('readGateRules', () => {
  const dir = tempDir('airlock-gate-config-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };

  it('reads the documented defaults: wait 10 minutes, fail on high, fail closed', async () => {
    const rules = await readGateRules(new FakeRuntime({ env: { RUNNER_TEMP: '/runner/tmp' } }));
    expect(rules).toEqual({
      waitTimeoutSec: 600,
      rules: { ...DEFAULT_GATE_SETTINGS },
      outputDir: '/runner/tmp',
    });
  });

  it.each([
    ['a wait in seconds', { 'wait-timeout': '90' }, { waitTimeoutSec: 90 }],
    ['a wait as a duration', { 'wait-timeout': '1h30m' }, { waitTimeoutSec: 5400 }],
    [
      'fail-on critical',
      { 'fail-on': 'Critical' },
      { rules: expect.objectContaining({ failOn: 'critical' }) },
    ],
    [
      'limits per level',
      { 'max-high': '2', 'max-low': '0' },
      { rules: expect.objectContaining({ maxHigh: 2, maxLow: 0 }) },
    ],
    [
      'ignore-unfixed',
      { 'ignore-unfixed': 'true' },
      { rules: expect.objectContaining({ ignoreUnfixed: true }) },
    ],
    [
      'unknown severity as high',
      { 'unknown-severity': 'high' },
      { rules: expect.objectContaining({ unknownSeverity: 'high' }) },
    ],
    [
      'fail-open on timeout',
      { 'on-timeout': 'pass' },
      { rules: expect.objectContaining({ onTimeout: 'pass' }) },
    ],
    [
      'fail-open on scan errors',
      { 'on-scan-error': 'pass' },
      { rules: expect.objectContaining({ onScanError: 'pass' }) },
    ],
    [
      'pass on an incomplete scan',
      { 'on-incomplete': 'PASS' },
      { rules: expect.objectContaining({ onIncomplete: 'pass' }) },
    ],
    [
      'a maximum advisory age in days',
      { 'max-advisory-age': '7d' },
      { rules: expect.objectContaining({ maxAdvisoryAgeSec: 604800 }) },
    ],
    [
      'a maximum advisory age in hours',
      { 'max-advisory-age': '36h' },
      { rules: expect.objectContaining({ maxAdvisoryAgeSec: 129600 }) },
    ],
    [
      'a maximum advisory age in minutes',
      { 'max-advisory-age': '90m' },
      { rules: expect.objectContaining({ maxAdvisoryAgeSec: 5400 }) },
    ],
    [
      'a maximum advisory age in mixed units',
      { 'max-advisory-age': ' 1d 12h ' },
      { rules: expect.objectContaining({ maxAdvisoryAgeSec: 129600 }) },
    ],
    [
      'denied licenses',
      { 'deny-licenses': 'GPL-3.0-only, AGPL-3.0-or-later', 'unknown-license': 'fail' },
      {
        rules: expect.objectContaining({
          denyLicenses: ['GPL-3.0-only', 'AGPL-3.0-or-later'],
          unknownLicense: 'fail',
        }),
      },
    ],
  ])('reads %s', async (_what, inputs, expected) => {
    expect(await readGateRules(new FakeRuntime({ inputs }))).toMatchObject(expected);
  });

  it('reads the allowlist file', async () => {
    const allowlist = file('ok.yml', '- id: CVE-2024-1\n  reason: not reachable\n  expires: 2099-01-01\n');
    expect((await readGateRules(new FakeRuntime({ inputs: { allowlist } }))).rules.allowlist).toEqual([
      { index: 0, id: 'CVE-2024-1', reason: 'not reachable', expires: '2099-01-01' },
    ]);
  });

  it.each([
    [
      'an unknown fail-on level',
      { 'fail-on': 'severe' },
      /^Input fail-on: "severe" is not a severity level; use one of critical, high, medium, low, none\./,
    ],
    [
      'a malformed duration',
      { 'wait-timeout': '10 minutes' },
      /^Input wait-timeout: "10 minutes" is not a duration; use seconds \(90\) or a duration such as 90s, 10m, 1h30m\./,
    ],
    [
      'a maximum advisory age without a unit',
      { 'max-advisory-age': '7' },
      /^Input max-advisory-age: "7" is not a duration; use a number with a unit: d \(days\), h \(hours\), m \(minutes\) or s \(seconds\), such as 7d, 36h, 90m/,
    ],
    [
      'a maximum advisory age in words',
      { 'max-advisory-age': 'a week' },
      /^Input max-advisory-age: "a week" is not a duration; use a number with a unit/,
    ],
    [
      'a maximum advisory age of nothing',
      { 'max-advisory-age': '0d' },
      /^Input max-advisory-age: "0d" allows no age at all, so every scan would fail; use a number with a unit/,
    ],
    [
      'a negative maximum advisory age',
      { 'max-advisory-age': '-7d' },
      /^Input max-advisory-age: "-7d" is not a duration/,
    ],
    [
      'an unknown on-incomplete',
      { 'on-incomplete': 'warn' },
      /^Input on-incomplete: "warn" is not accepted; use fail or pass\./,
    ],
    ['a negative limit', { 'max-high': '-1' }, /^Input max-high: "-1" is not a count; use a whole number/],
    [
      'an unknown on-timeout',
      { 'on-timeout': 'retry' },
      /^Input on-timeout: "retry" is not accepted; use fail or pass\./,
    ],
    [
      'an unknown unknown-severity',
      { 'unknown-severity': 'info' },
      /^Input unknown-severity: "info" is not accepted; use one of critical, high, medium, low, ignore\./,
    ],
    [
      'a license that is not SPDX',
      { 'deny-licenses': 'GPL3' },
      /^Input deny-licenses: "GPL3" is not an SPDX license id/,
    ],
    [
      'ignore-unfixed that is not a boolean',
      { 'ignore-unfixed': 'sometimes' },
      /Input ignore-unfixed: 'sometimes' is not a boolean/,
    ],
    [
      'a missing allowlist file',
      { allowlist: 'nowhere.yml' },
      /^Input allowlist: cannot read 'nowhere.yml' .*give the path of a YAML allowlist file/,
    ],
  ])('refuses %s, naming the input and the accepted forms', async (_what, inputs, message) => {
    await expect(readGateRules(new FakeRuntime({ inputs }))).rejects.toThrow(message);
  });

  it.each([
    ['is not YAML', 'bad.yml', '- id: [unclosed\n', /^Input allowlist \(.*bad\.yml\) is not valid YAML/],
    [
      'has an entry without an id',
      'noid.yml',
      '- reason: forgot the id\n',
      /^Input allowlist \(.*noid\.yml\): entry 1 \(line 1\) has no `id`/,
    ],
  ])('refuses an allowlist that %s', async (_what, name, text, message) => {
    const allowlist = file(name, text);
    await expect(readGateRules(new FakeRuntime({ inputs: { allowlist } }))).rejects.toThrow(message);
  });
});

describe('readGateSettings', () => {
  it('takes the packages, owner and repository an earlier push exported', async () => {
    const runtime = new FakeRuntime({
      inputs: { 'api-url': 'https://repo.test', 'api-key': 'k' },
      env: { AIRLOCK_PACKAGES: PACKAGES, AIRLOCK_OWNER: 'acme', AIRLOCK_REPO: 'dev' },
    });
    expect(await readGateSettings(runtime)).toMatchObject({
      owner: 'acme',
      repo: 'dev',
      packages: JSON.parse(PACKAGES),
    });
  });

  it.each([
    [
      'no packages at all',
      { packages: '' },
      /^Input packages is required: run the push action earlier in the job/,
    ],
    [
      'packages that are not JSON',
      { packages: 'app.tgz' },
      /^Input packages is not JSON; give a JSON array of packages/,
    ],
    ['an empty list of packages', { packages: '[]' }, /^Input packages is an empty list/],
    [
      'a package without slug_perm',
      { packages: '[{"name":"x"}]' },
      /^Input packages: item 1 has no slug_perm/,
    ],
    ['a matrix that is not an object', { matrix: '[1,2]' }, /^Input matrix: '\[1,2\]' is not a JSON object/],
  ])('refuses %s', async (_what, inputs, message) => {
    await expect(readGateSettings(new FakeRuntime({ inputs: { ...BASE, ...inputs } }))).rejects.toThrow(
      message,
    );
  });
});
