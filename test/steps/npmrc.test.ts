import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readAuthSettings } from '../../src/config/auth.js';
import { AuthEnv } from '../../src/config/names.js';
import { npmRegistryUrl, npmrcText, writeNpmrc } from '../../src/steps/npmrc.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';

describe('the npm-repository input of auth', () => {
  const base = { 'api-url': 'https://repo.test/v1', 'api-key': 'k' };

  it('reads owner/repo and the optional npmrc path', () => {
    const runtime = new FakeRuntime({
      inputs: { ...base, 'npm-repository': 'acme/dev', npmrc: 'ci/.npmrc' },
    });
    expect(readAuthSettings(runtime).npm).toEqual({ owner: 'acme', repo: 'dev', path: 'ci/.npmrc' });
  });

  it.each(['dev', 'acme/dev/extra', 'acme/d ev'])('refuses %s, naming the input and the form', (value) => {
    const runtime = new FakeRuntime({ inputs: { ...base, 'npm-repository': value } });
    expect(() => readAuthSettings(runtime)).toThrow(/Input npm-repository: .* expected owner\/repo/);
  });

  it('refuses an npmrc path without npm-repository', () => {
    const runtime = new FakeRuntime({ inputs: { ...base, npmrc: '.npmrc' } });
    expect(() => readAuthSettings(runtime)).toThrow(/Input npmrc needs npm-repository/);
  });
});

describe('writeNpmrc', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-npmrc-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds the registry URL beside the API, not under /v1', () => {
    expect(npmRegistryUrl('https://repo.test/v1/', 'acme', 'dev')).toBe('https://repo.test/npm/acme/dev/');
  });

  it('writes the registry and a token line that names the variable, never the token, into RUNNER_TEMP and exports it', async () => {
    const runtime = new FakeRuntime({ env: { RUNNER_TEMP: dir, [AuthEnv.ApiKey]: 'secret-token' } });
    const file = await writeNpmrc(runtime, 'https://repo.test', { owner: 'acme', repo: 'dev', path: '' });
    expect(file).toBe(path.join(dir, '.npmrc'));
    expect(fs.readFileSync(file, 'utf8')).toBe(
      'registry=https://repo.test/npm/acme/dev/\n//repo.test/npm/acme/dev/:_authToken=${AIRLOCK_API_KEY}\n',
    );
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(runtime.env[AuthEnv.NpmUserConfig]).toBe(file);
    expect(runtime.outputs['npm-registry']).toBe('https://repo.test/npm/acme/dev/');
    expect(runtime.log.join('\n')).not.toContain('secret-token');
  });

  it('keeps the other lines of an existing .npmrc and replaces an older registry', () => {
    const text = npmrcText(
      'save-exact=true\nregistry=https://old.test/\n//repo.test/npm/acme/dev/:_authToken=old\n',
      'https://repo.test/npm/acme/dev/',
    );
    expect(text.split('\n')).toEqual([
      'save-exact=true',
      'registry=https://repo.test/npm/acme/dev/',
      '//repo.test/npm/acme/dev/:_authToken=${AIRLOCK_API_KEY}',
      '',
    ]);
  });
});
