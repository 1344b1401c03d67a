import fs from 'node:fs';
import { StateFile, WorkspaceState } from '../../src/cli/state.js';
import { tempDir } from '../helpers/server.js';

const PUSHED = JSON.stringify([{ slug_perm: 'b2' }, { slug_perm: 'a1' }]);

describe('WorkspaceState (.airlock/ between commands)', () => {
  let dir: string;
  let state: WorkspaceState;
  beforeEach(() => {
    dir = tempDir('airlock-state-');
    state = new WorkspaceState(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function pushAndGate(): void {
    state.save({ AIRLOCK_PACKAGES: PUSHED, AIRLOCK_OWNER: 'acme', AIRLOCK_REPO: 'dev' }, {});
    state.save(
      { AIRLOCK_PACKAGES: PUSHED, AIRLOCK_GATE_RESULT: 'pass', AIRLOCK_GATE_FINDINGS: '/w/findings.json' },
      { AIRLOCK_PACKAGES: PUSHED },
    );
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
    state.save({ AIRLOCK_PACKAGES: JSON.stringify([{ slug_perm: 'c3' }]) }, { AIRLOCK_PACKAGES: PUSHED });
    expect(fs.readdirSync(state.dir)).toEqual([StateFile.Packages]);
    const env: NodeJS.ProcessEnv = {};
    state.load(env);
    expect(env.AIRLOCK_GATE_RESULT).toBeUndefined();
  });

  it('names a state file that is not JSON', () => {
    fs.mkdirSync(state.dir);
    fs.writeFileSync(state.file(StateFile.Packages), '{');
    expect(() => state.load({})).toThrow(
      /packages\.json is not valid JSON; delete it and run the earlier step again\./,
    );
  });
});
