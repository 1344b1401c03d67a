import fs from 'node:fs';
import { StateFile, WorkspaceState } from '../../src/cli/state.js';
import type { Verdict } from '../../src/policy/verdict.js';
import type { PushedPackage } from '../../src/steps/types.js';
import { tempDir } from '../helpers/server.js';
import { sampleVerdict } from '../report/verdicts.js';

/** Packages as push returns them, by id. */
function pushed(...ids: string[]): PushedPackage[] {
  return ids.map((id) => ({
    slug_perm: id,
    name: id,
    version: '1.0.0',
    format: 'npm',
    filename: `${id}.tgz`,
    url: '',
  }));
}

const PACKAGES = pushed('b2', 'a1');
const PUSHED = JSON.stringify(PACKAGES);

/** A gate's verdict: only its result matters to the state. */
function verdict(result: 'pass' | 'fail'): Verdict {
  return { ...sampleVerdict(), result };
}

describe('WorkspaceState (.airlock/ between commands)', () => {
  let dir: string;
  let state: WorkspaceState;
  beforeEach(() => {
    dir = tempDir('airlock-state-');
    state = new WorkspaceState(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function pushAndGate(): void {
    state.record({ owner: 'acme', repo: 'dev', packages: PACKAGES, pushed: true });
    state.record({
      owner: 'acme',
      repo: 'dev',
      packages: PACKAGES,
      gate: { verdict: verdict('pass'), findingsPath: '/w/findings.json', sarifPath: '/w/airlock.sarif' },
    });
  }

  it('gives the next command what push and gate exported, without replacing what is set', () => {
    pushAndGate();
    const env: NodeJS.ProcessEnv = { AIRLOCK_REPO: 'staging' };
    state.load(env);
    expect(env).toEqual({
      AIRLOCK_OWNER: 'acme',
      AIRLOCK_REPO: 'staging',
      AIRLOCK_PACKAGES: JSON.stringify(JSON.parse(PUSHED)),
      AIRLOCK_GATE_RESULT: 'pass',
      AIRLOCK_GATE_FINDINGS: '/w/findings.json',
    });
  });

  it('applies a gate result only to the packages it judged', () => {
    pushAndGate();
    const same: NodeJS.ProcessEnv = {};
    state.load(same, JSON.stringify([{ slug_perm: 'a1' }, { slug_perm: 'b2', name: 'x' }]));
    expect(same.AIRLOCK_GATE_RESULT).toBe('pass');
    const other: NodeJS.ProcessEnv = {};
    state.load(other, JSON.stringify([{ slug_perm: 'a1' }]));
    expect(other.AIRLOCK_GATE_RESULT).toBeUndefined();
  });

  it('forgets the last gate and promotion when a new push records other packages', () => {
    pushAndGate();
    state.write(StateFile.Promote, { promoted: [] });
    state.record({ owner: 'acme', repo: 'dev', packages: pushed('c3'), pushed: true });
    expect(fs.readdirSync(state.dir)).toEqual([StateFile.Packages]);
    const env: NodeJS.ProcessEnv = {};
    state.load(env);
    expect(env.AIRLOCK_GATE_RESULT).toBeUndefined();
  });

  it('records every gate it is given, also one with the same verdict as the last', () => {
    pushAndGate();
    state.record({
      owner: 'acme',
      repo: 'dev',
      packages: PACKAGES,
      gate: { verdict: verdict('pass'), findingsPath: '/w/second.json', sarifPath: '/w/second.sarif' },
    });
    const env: NodeJS.ProcessEnv = {};
    state.load(env);
    expect(env.AIRLOCK_GATE_FINDINGS).toBe('/w/second.json');
  });

  it('records what a promotion did, and a gate without a push keeps the pushed packages', () => {
    pushAndGate();
    const promotions = [{ slug_perm: 'a1', name: 'a1', version: '1.0.0', status: 'promoted' as const }];
    state.record({ owner: 'acme', repo: 'dev', packages: PACKAGES, promotions });
    expect(state.read(StateFile.Promote)).toEqual({ promoted: promotions });
    expect(state.read(StateFile.Packages)).toEqual({ owner: 'acme', repo: 'dev', packages: PACKAGES });
  });

  it('names a state file that is not JSON', () => {
    fs.mkdirSync(state.dir);
    fs.writeFileSync(state.file(StateFile.Packages), '{');
    expect(() => state.load({})).toThrow(
      /packages\.json is not valid JSON; delete it and run the earlier step again\./,
    );
  });
});
