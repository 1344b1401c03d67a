import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readAuthSettings } from '../../src/config/auth.js';
import { readGateSettings } from '../../src/config/gate.js';
import { AuthOutput, GateOutput, PromoteOutput, PushOutput } from '../../src/config/names.js';
import { readPipelineSettings } from '../../src/config/pipeline.js';
import { readPromoteSettings } from '../../src/config/promote.js';
import { readPushSettings } from '../../src/config/push.js';
import type { InputOptions, Runtime } from '../../src/runtime/runtime.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { ROOT } from '../helpers/runner.js';

/** A runtime that records which inputs the code reads. */
class ReadRecorder extends FakeRuntime {
  readonly read = new Set<string>();
  override getInput(name: string, options?: InputOptions): string {
    this.read.add(name);
    return super.getInput(name, options);
  }
}

interface ActionYaml {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const PACKAGES = '[{"slug_perm":"p1","name":"app","version":"1.0.0"}]';

/** Inputs that satisfy every reader (each reads all of its inputs, given or not). */
const VALID: Record<string, string> = {
  'api-url': 'https://repo.test',
  'api-key': 'key',
  org: 'acme',
  'service-slug': 'ci-bot',
  owner: 'acme',
  repo: 'dev',
  files: 'dist/*.tgz',
  packages: PACKAGES,
  destination: 'prod',
  'gate-result': 'pass',
};

/** Each action: its action.yml, the reader of its inputs, the outputs its steps set, its bundle. */
const ACTIONS: Array<[string, string, (runtime: Runtime) => unknown, string[], string]> = [
  ['auth', 'auth/action.yml', readAuthSettings, Object.values(AuthOutput), '../dist/auth/index.js'],
  ['push', 'push/action.yml', readPushSettings, Object.values(PushOutput), '../dist/push/index.js'],
  ['gate', 'gate/action.yml', readGateSettings, Object.values(GateOutput), '../dist/gate/index.js'],
  [
    'promote',
    'promote/action.yml',
    readPromoteSettings,
    Object.values(PromoteOutput),
    '../dist/promote/index.js',
  ],
  [
    'the pipeline',
    'action.yml',
    readPipelineSettings,
    [
      ...Object.values(AuthOutput),
      ...Object.values(PushOutput),
      ...Object.values(GateOutput),
      ...Object.values(PromoteOutput),
    ],
    'dist/pipeline/index.js',
  ],
];

describe.each(ACTIONS)('the %s action', (_name, file, read, outputs, main) => {
  const spec = parseYaml(fs.readFileSync(path.join(ROOT, file), 'utf8')) as ActionYaml;

  it('declares every input its code reads, and its code reads every input it declares', async () => {
    const runtime = new ReadRecorder({ inputs: VALID });
    await read(runtime);
    expect([...runtime.read].sort()).toEqual(Object.keys(spec.inputs).sort());
  });

  it('declares exactly the outputs its steps set', () => {
    expect(Object.keys(spec.outputs).sort()).toEqual([...outputs].sort());
  });

  it('documents every input and output', () => {
    expect(spec.description.length).toBeGreaterThan(40);
    for (const [name, entry] of [...Object.entries(spec.inputs), ...Object.entries(spec.outputs)]) {
      expect([name, entry.description.trim().length > 15]).toEqual([name, true]);
    }
  });

  it('runs its own bundle on node24', () => {
    expect(spec.runs).toEqual({ using: 'node24', main });
  });

  it('gives a default to every optional input and none to a required one', () => {
    for (const [name, input] of Object.entries(spec.inputs)) {
      expect([name, input.required ? input.default === undefined : input.default !== undefined]).toEqual([
        name,
        true,
      ]);
    }
  });
});

describe('the actions that share an input', () => {
  const specs = ACTIONS.map(
    ([, file]) => parseYaml(fs.readFileSync(path.join(ROOT, file), 'utf8')) as ActionYaml,
  );

  it('give it the same default everywhere', () => {
    const defaults = new Map<string, Set<string>>();
    for (const spec of specs) {
      for (const [name, input] of Object.entries(spec.inputs)) {
        if (input.required) continue;
        const set = defaults.get(name) ?? new Set<string>();
        set.add(String(input.default));
        defaults.set(name, set);
      }
    }
    // The root action's wait-timeout bounds the scan wait; promote's own bounds only the sync.
    const differing = [...defaults].filter(([name, set]) => set.size > 1 && name !== 'wait-timeout');
    expect(differing).toEqual([]);
  });
});

describe('docs/actions.md', () => {
  const docs = fs.readFileSync(path.join(ROOT, 'docs/actions.md'), 'utf8');
  const KEYS: Record<string, string> = {
    'auth/action.yml': 'auth',
    'push/action.yml': 'push',
    'gate/action.yml': 'gate',
    'promote/action.yml': 'promote',
    'action.yml': 'pipeline',
  };

  it.each(Object.entries(KEYS))('lists the inputs (with their defaults) and outputs of %s', (file, key) => {
    const spec = parseYaml(fs.readFileSync(path.join(ROOT, file), 'utf8')) as ActionYaml;
    const block = docs.split(`<!-- inputs:${key} -->`)[1]?.split(`<!-- /inputs:${key} -->`)[0] ?? '';
    const [inputTable = '', outputTable = ''] = block.split('| output |');
    const rows = (table: string) =>
      [...table.matchAll(/^\| `([^`]+)` \| (.*?) \|/gm)].map(
        (m) => [m[1]!, m[2]!.trim()] as [string, string],
      );
    const documented = rows(inputTable);
    const declared = Object.entries(spec.inputs).map(([name, input]): [string, string] => [
      name,
      input.required ? '*required*' : input.default === '' ? '' : `\`${String(input.default)}\``,
    ]);
    expect(documented).toEqual(declared);
    expect(rows(outputTable).map(([name]) => name)).toEqual(Object.keys(spec.outputs));
  });
});
