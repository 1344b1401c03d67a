import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readAuthSettings } from '../../src/config/auth.js';
import { AuthOutput } from '../../src/config/names.js';
import type { InputOptions } from '../../src/runtime/runtime.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { ROOT } from '../helpers/runner.js';

/** A fake runtime that remembers which inputs were read. */
class ReadRecorder extends FakeRuntime {
  readonly read = new Set<string>();
  override getInput(name: string, options?: InputOptions): string {
    this.read.add(name);
    return super.getInput(name, options);
  }
}

interface ActionYaml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

describe('readAuthSettings', () => {
  it('reads OIDC settings with the documented defaults', () => {
    const runtime = new FakeRuntime({
      inputs: { 'api-url': 'https://repo.test/v1/', org: 'acme', 'service-slug': 'ci-bot' },
    });
    expect(readAuthSettings(runtime)).toEqual({
      apiUrl: 'https://repo.test/v1',
      org: 'acme',
      serviceSlug: 'ci-bot',
      audience: 'airlock',
      apiKey: undefined,
      retries: 3,
    });
  });

  it('masks the api-key as soon as it is read', () => {
    const runtime = new FakeRuntime({ inputs: { 'api-url': 'not a url', 'api-key': 'long-lived-key' } });
    expect(() => readAuthSettings(runtime)).toThrow(/api-url/);
    expect(runtime.secrets).toEqual(['long-lived-key']);
  });

  it.each([
    [
      { 'api-url': 'ftp://repo.test', 'api-key': 'k' },
      /Input api-url: 'ftp:\/\/repo.test' is not an API URL; expected an http\(s\) URL/,
    ],
    [{ 'api-url': 'https://repo.test', org: 'acme' }, /Input service-slug is required when org is given/],
    [
      { 'api-url': 'https://repo.test', 'service-slug': 'ci' },
      /Input org is required when service-slug is given/,
    ],
    [{ 'api-url': 'https://repo.test' }, /Give either org and service-slug \(OIDC, recommended\) or api-key/],
    [
      { 'api-url': 'https://repo.test', 'api-key': 'k', retries: 'many' },
      /Input retries: 'many' is not a retry count; expected a whole number from 0 to 10/,
    ],
    [{ 'api-url': 'https://repo.test', 'api-key': 'k', retries: '11' }, /Input retries: '11'/],
    [{ 'api-key': 'k' }, /Input required and not supplied: api-url/],
  ])('refuses %j naming the input and the accepted form', (inputs, message) => {
    expect(() => readAuthSettings(new FakeRuntime({ inputs }))).toThrow(message);
  });
});

describe('auth/action.yml', () => {
  const spec = parseYaml(fs.readFileSync(path.join(ROOT, 'auth/action.yml'), 'utf8')) as ActionYaml;

  it('declares exactly the inputs the settings reader reads', () => {
    const runtime = new ReadRecorder({
      inputs: { 'api-url': 'https://repo.test', org: 'acme', 'service-slug': 'ci', 'api-key': 'k' },
    });
    readAuthSettings(runtime);
    expect([...runtime.read].sort()).toEqual(Object.keys(spec.inputs).sort());
  });

  it('declares exactly the outputs the step sets, and documents every input and output', () => {
    expect(Object.keys(spec.outputs).sort()).toEqual(Object.values(AuthOutput).sort());
    for (const entry of [...Object.values(spec.inputs), ...Object.values(spec.outputs)]) {
      expect(entry.description.length).toBeGreaterThan(20);
    }
  });

  it('runs the auth bundle on node24 with the documented defaults', () => {
    expect(spec.runs).toEqual({ using: 'node24', main: '../dist/auth/index.js' });
    expect(spec.inputs.audience!.default).toBe('airlock');
    expect(spec.inputs.retries!.default).toBe('3');
  });
});
