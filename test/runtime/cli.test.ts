import fs from 'node:fs';
import path from 'node:path';
import { CliRuntime, inputEnvName } from '../../src/runtime/cli.js';
import { IdTokenError, IdTokenUnavailableError } from '../../src/runtime/runtime.js';
import { parseRunnerFile } from '../helpers/runner.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/server.js';

function sink(): { write(chunk: string): void; text: () => string } {
  let text = '';
  return { write: (chunk: string) => void (text += chunk), text: () => text };
}

describe('CliRuntime', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads an input from the flags first, then from AIRLOCK_<NAME>', () => {
    const runtime = new CliRuntime({
      inputs: { 'api-url': 'https://flag.test' },
      env: { AIRLOCK_API_URL: 'https://env.test', AIRLOCK_SERVICE_SLUG: ' ci-bot ' },
    });
    expect(runtime.getInput('api-url')).toBe('https://flag.test');
    expect(runtime.getInput('service-slug')).toBe('ci-bot');
    expect(runtime.getInput('org')).toBe('');
    expect(inputEnvName('fail-on')).toBe('AIRLOCK_FAIL_ON');
  });

  it('names the flag and the variable when a required input is missing', () => {
    const runtime = new CliRuntime({ env: {} });
    expect(() => runtime.getInput('org', { required: true })).toThrow(
      '--org or AIRLOCK_ORG is required: pass the flag or set the variable.',
    );
  });

  it('reads booleans as the runner does and names the input of a bad one', () => {
    const runtime = new CliRuntime({ inputs: { a: 'True', b: 'FALSE', c: 'yes' }, env: {} });
    expect(runtime.getBooleanInput('a')).toBe(true);
    expect(runtime.getBooleanInput('b')).toBe(false);
    expect(runtime.getBooleanInput('missing')).toBe(false);
    expect(() => runtime.getBooleanInput('c')).toThrow(/Input c: 'yes' is not a boolean; use true or false/);
  });

  it('splits a multiline input into its non-empty lines', () => {
    const runtime = new CliRuntime({ inputs: { files: ' dist/*.tgz \n\n  build/*.whl\n' }, env: {} });
    expect(runtime.getMultilineInput('files')).toEqual(['dist/*.tgz', 'build/*.whl']);
  });

  it('redacts secrets from everything it prints and never prints a workflow command', async () => {
    const stderr = sink();
    const runtime = new CliRuntime({ env: {}, stderr, debug: true });
    runtime.setSecret('s3cr3t-token-value');
    runtime.info('token is s3cr3t-token-value');
    runtime.warning('again s3cr3t-token-value!');
    runtime.debug('::add-mask::s3cr3t-token-value');
    runtime.info('::set-output name=x::1');
    await runtime.summary('| token | s3cr3t-token-value |');
    const text = stderr.text();
    expect(text).not.toContain('s3cr3t-token-value');
    expect(text).toContain('token is ***');
    expect(text).toContain('warning: again ***!');
    expect(text).not.toMatch(/^::/m);
    expect(text).not.toContain('::add-mask::');
    expect(text).toContain('| token | *** |');
  });

  it('prints debug lines only in debug mode', () => {
    const quiet = sink();
    new CliRuntime({ env: {}, stderr: quiet }).debug('details');
    const loud = sink();
    new CliRuntime({ env: { AIRLOCK_DEBUG: '1' }, stderr: loud }).debug('details');
    expect(quiet.text()).toBe('');
    expect(loud.text()).toBe('debug: details\n');
  });

  it('keeps outputs, writes them to the output file, and exports variables to its environment and env file', () => {
    const outputFile = path.join(dir, 'out');
    const envFile = path.join(dir, 'env');
    const env: NodeJS.ProcessEnv = {};
    const runtime = new CliRuntime({ env, outputFile, envFile, stderr: sink() });
    runtime.setOutput('packages', '[\n  {"name": "a"}\n]');
    runtime.setOutput('result', 'pass');
    runtime.exportVariable('AIRLOCK_API_URL', 'https://repo.test');
    expect(runtime.outputs()).toEqual({ packages: '[\n  {"name": "a"}\n]', result: 'pass' });
    expect(parseRunnerFile(fs.readFileSync(outputFile, 'utf8'))).toEqual(runtime.outputs());
    expect(env.AIRLOCK_API_URL).toBe('https://repo.test');
    expect(runtime.getEnv('AIRLOCK_API_URL')).toBe('https://repo.test');
    expect(parseRunnerFile(fs.readFileSync(envFile, 'utf8'))).toEqual({
      AIRLOCK_API_URL: 'https://repo.test',
    });
  });

  it('reads the ID token from the token file, then AIRLOCK_OIDC_TOKEN, and masks it', async () => {
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, 'jwt-from-file\n');
    const stderr = sink();
    const fromFile = new CliRuntime({
      env: { AIRLOCK_OIDC_TOKEN: 'jwt-from-env' },
      oidcTokenFile: tokenFile,
      stderr,
    });
    await expect(fromFile.getIdToken('airlock')).resolves.toBe('jwt-from-file');
    fromFile.info('got jwt-from-file');
    expect(stderr.text()).toBe('got ***\n');
    await expect(new CliRuntime({ env: { AIRLOCK_OIDC_TOKEN: 'jwt-from-env' } }).getIdToken()).resolves.toBe(
      'jwt-from-env',
    );
  });

  it('asks the GitHub Actions ID-token endpoint for the audience when running inside Actions', async () => {
    const server = await startScriptedServer();
    try {
      server.on('GET', '/idtoken', (req) => ({
        status: req.headers.authorization === 'Bearer request-token' ? 200 : 401,
        json: { value: `jwt-for-${new URL(req.url, server.url).searchParams.get('audience')}` },
      }));
      const runtime = new CliRuntime({
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: `${server.url}/idtoken?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
        },
      });
      await expect(runtime.getIdToken('airlock')).resolves.toBe('jwt-for-airlock');
      expect(runtime.redact('jwt-for-airlock')).toBe('***');
    } finally {
      await server.close();
    }
  });

  it('says a 5xx from the ID-token endpoint is worth retrying and a 403 is not', async () => {
    const server = await startScriptedServer();
    try {
      server.on('GET', '/idtoken', { status: 500, text: 'oops' }, { status: 403, text: 'no' });
      const runtime = new CliRuntime({
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: `${server.url}/idtoken?x=1`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
        },
      });
      const first = await runtime.getIdToken('a').catch((e: unknown) => e);
      expect(first).toBeInstanceOf(IdTokenError);
      expect((first as IdTokenError).retryable).toBe(true);
      const second = await runtime.getIdToken('a').catch((e: unknown) => e);
      expect((second as IdTokenError).retryable).toBe(false);
      expect((second as IdTokenError).status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('says plainly when no ID token source exists', async () => {
    await expect(new CliRuntime({ env: {} }).getIdToken()).rejects.toThrow(IdTokenUnavailableError);
    await expect(new CliRuntime({ env: {} }).getIdToken()).rejects.toThrow(
      /--oidc-token-file.*AIRLOCK_OIDC_TOKEN/,
    );
  });
});
