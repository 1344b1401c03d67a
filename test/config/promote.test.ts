import { readPromoteSettings } from '../../src/config/promote.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';

const PACKAGES = '[{"slug_perm":"p1","name":"app","version":"1.0.0"}]';
const BASE = {
  'api-url': 'https://repo.test',
  'api-key': 'k',
  owner: 'acme',
  repo: 'dev',
  packages: PACKAGES,
  destination: 'prod',
  'gate-result': 'pass',
};

describe('readPromoteSettings', () => {
  it('reads the inputs with the documented defaults', () => {
    expect(readPromoteSettings(new FakeRuntime({ inputs: BASE }))).toMatchObject({
      destination: 'prod',
      mode: 'copy',
      tags: [],
      quarantineOnFail: false,
      waitTimeoutSec: 300,
      gateResult: 'pass',
      packages: [{ slug_perm: 'p1', name: 'app', version: '1.0.0', format: '', filename: '', url: '' }],
    });
  });

  it.each([
    ['move', { mode: 'MOVE' }, { mode: 'move' }],
    ['tags', { tags: 'released\nv1' }, { tags: ['released', 'v1'] }],
    ['quarantine-on-fail', { 'quarantine-on-fail': 'true' }, { quarantineOnFail: true }],
    ['a sync wait', { 'wait-timeout': '45s' }, { waitTimeoutSec: 45 }],
  ])('reads %s', (_what, inputs, expected) => {
    expect(readPromoteSettings(new FakeRuntime({ inputs: { ...BASE, ...inputs } }))).toMatchObject(expected);
  });

  it('takes the gate result and findings file an earlier gate step exported', () => {
    const runtime = new FakeRuntime({
      inputs: { ...BASE, 'gate-result': '' },
      env: { AIRLOCK_GATE_RESULT: 'fail', AIRLOCK_GATE_FINDINGS: '/tmp/findings.json' },
    });
    expect(readPromoteSettings(runtime)).toMatchObject({
      gateResult: 'fail',
      gateFindings: '/tmp/findings.json',
    });
  });

  it.each([
    [
      'no destination',
      { destination: '' },
      /^Input destination is required: give the slug of the repository to promote to/,
    ],
    [
      'a destination that is not a slug',
      { destination: 'acme/prod' },
      /^Input destination: 'acme\/prod' is not a repository slug/,
    ],
    [
      'the source as destination',
      { destination: 'dev' },
      /^Input destination: 'dev' is the repository the packages are in/,
    ],
    ['an unknown mode', { mode: 'link' }, /^Input mode: 'link' is not a mode; use copy .* or move\./],
    [
      'no gate result',
      { 'gate-result': '' },
      /^Input gate-result is required: run the gate action earlier in the job/,
    ],
    [
      'an unknown gate result',
      { 'gate-result': 'ok' },
      /^Input gate-result: 'ok' is not a gate result; use pass or fail\./,
    ],
    ['a malformed wait', { 'wait-timeout': 'soon' }, /^Input wait-timeout: "soon" is not a duration/],
  ])('refuses %s, naming the input and the accepted forms', (_what, inputs, message) => {
    expect(() => readPromoteSettings(new FakeRuntime({ inputs: { ...BASE, ...inputs } }))).toThrow(message);
  });
});
