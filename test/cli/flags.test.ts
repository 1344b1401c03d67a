import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ACTION_INPUTS } from '../../src/cli/action-inputs.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { ROOT } from '../helpers/runner.js';

interface DeclaredInput {
  description?: string;
  required?: boolean;
  default?: string | number | boolean;
}

/** The inputs an action.yml declares, read from the file itself. */
function declaredInputs(folder: string): Record<string, DeclaredInput> {
  const file = path.join(ROOT, folder, 'action.yml');
  return (
    (parseYaml(fs.readFileSync(file, 'utf8')) as { inputs?: Record<string, DeclaredInput> }).inputs ?? {}
  );
}

const OUTPUT = ['json', 'output', 'help'];
const OIDC = ['org', 'service-slug', 'audience', 'oidc-token-file'];
const TARGET = ['sha', 'github-repository'];

/** The flags each subcommand has beyond its action's inputs. */
const CLI_ONLY: Record<string, string[]> = {
  auth: ['oidc-token-file', ...OUTPUT],
  whoami: ['oidc-token-file', ...OUTPUT],
  push: [...OIDC, ...OUTPUT],
  gate: [...OIDC, ...TARGET, ...OUTPUT],
  promote: [...OIDC, ...TARGET, ...OUTPUT],
  pipeline: ['oidc-token-file', ...TARGET, ...OUTPUT],
  report: ['github-token', 'comment', 'check-name', 'matrix', 'findings', ...TARGET, ...OUTPUT],
};

/** The action each subcommand runs (its flags are that action.yml's inputs). */
const ACTION_OF: Record<string, string | undefined> = {
  auth: 'auth',
  whoami: 'auth',
  push: 'push',
  gate: 'gate',
  promote: 'promote',
  pipeline: '.',
  report: undefined,
};

describe("the CLI's flags", () => {
  it('has every subcommand the suite documents', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(Object.keys(CLI_ONLY).sort());
  });

  it.each(Object.keys(CLI_ONLY))("of '%s' are its action's inputs plus the CLI's own flags", (name) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    const action = ACTION_OF[name];
    expect(command.action).toBe(action);
    const inputs = action ? Object.keys(declaredInputs(action)) : [];
    expect(command.flags.map((f) => f.name).sort()).toEqual(
      [...new Set([...inputs, ...CLI_ONLY[name]!])].sort(),
    );
    const fromAction = command.flags.filter((f) => f.source === 'action').map((f) => f.name);
    expect(fromAction.sort()).toEqual([...inputs].sort());
  });

  it('were generated from the action.yml files as they are now (run `npm run package` when this fails)', () => {
    const folders = ['.', ...fs.readdirSync(ROOT)].filter((d) =>
      fs.existsSync(path.join(ROOT, d, 'action.yml')),
    );
    expect(Object.keys(ACTION_INPUTS).sort()).toEqual(folders.sort());
    for (const folder of folders) {
      const expected = Object.entries(declaredInputs(folder)).map(([name, input]) => ({
        name,
        description: String(input.description ?? '')
          .replace(/\s+/g, ' ')
          .trim(),
        required: input.required === true,
        ...(input.default !== undefined ? { default: String(input.default) } : {}),
      }));
      expect([folder, ACTION_INPUTS[folder]]).toEqual([folder, expected]);
    }
  });

  it('read each input from AIRLOCK_<NAME>, and the GitHub token also from GITHUB_TOKEN', () => {
    const gate = COMMANDS.find((c) => c.name === 'gate')!;
    expect(gate.flags.find((f) => f.name === 'fail-on')).toMatchObject({
      env: ['AIRLOCK_FAIL_ON'],
      default: 'high',
    });
    expect(gate.flags.find((f) => f.name === 'github-token')?.env).toEqual([
      'AIRLOCK_GITHUB_TOKEN',
      'GITHUB_TOKEN',
    ]);
    expect(gate.flags.find((f) => f.name === 'ignore-unfixed')?.kind).toBe('boolean');
  });
});
