import fs from 'node:fs';
import path from 'node:path';
import { jest } from '@jest/globals';
import { GitHubRuntime } from '../../src/runtime/github.js';
import { IdTokenError, IdTokenUnavailableError } from '../../src/runtime/runtime.js';
import { parseRunnerFile } from '../helpers/runner.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/server.js';

const VARS = [
  'GITHUB_OUTPUT',
  'GITHUB_ENV',
  'GITHUB_STEP_SUMMARY',
  'INPUT_API-URL',
  'INPUT_FAIL-ON',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'AIRLOCK_TEST_EXPORT',
];

describe('GitHubRuntime', () => {
  let dir: string;
  let saved: Record<string, string | undefined>;
  let stdout: string;

  beforeEach(() => {
    saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
    dir = tempDir();
    for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STEP_SUMMARY']) {
      process.env[name] = path.join(dir, name);
      fs.writeFileSync(process.env[name]!, '');
    }
    stdout = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads inputs from INPUT_ variables whose names keep their hyphens', () => {
    process.env['INPUT_API-URL'] = ' https://repo.test ';
    process.env['INPUT_FAIL-ON'] = 'maybe';
    const runtime = new GitHubRuntime();
    expect(runtime.getInput('api-url')).toBe('https://repo.test');
    expect(() => runtime.getInput('org', { required: true })).toThrow(/Input required and not supplied: org/);
    expect(() => runtime.getBooleanInput('fail-on')).toThrow(/Input fail-on: 'maybe' is not a boolean/);
  });

  it('masks a secret once and writes outputs and exports to the runner files', () => {
    const runtime = new GitHubRuntime();
    runtime.setSecret('tok-123456');
    runtime.setSecret('tok-123456');
    runtime.setOutput('token', 'tok-123456');
    runtime.exportVariable('AIRLOCK_TEST_EXPORT', 'v1');
    expect(stdout.match(/::add-mask::tok-123456/g)).toHaveLength(1);
    expect(parseRunnerFile(fs.readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'))).toEqual({
      token: 'tok-123456',
    });
    expect(parseRunnerFile(fs.readFileSync(process.env.GITHUB_ENV!, 'utf8'))).toEqual({
      AIRLOCK_TEST_EXPORT: 'v1',
    });
    expect(runtime.getEnv('AIRLOCK_TEST_EXPORT')).toBe('v1');
  });

  it('appends markdown to the job summary file', async () => {
    await new GitHubRuntime().summary('## Airlock\n\nall good');
    expect(fs.readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe('## Airlock\n\nall good\n');
  });

  it('tells a job without id-token permission how to get it', async () => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const err = await new GitHubRuntime().getIdToken('airlock').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdTokenUnavailableError);
    expect((err as Error).message).toContain('permissions: id-token: write');
  });

  it('gets the ID token for the audience through @actions/core and masks it', async () => {
    const server = await startScriptedServer();
    try {
      server.on('GET', '/token', (req) => ({
        status: req.headers.authorization === 'Bearer req-tok' ? 200 : 401,
        json: { value: `jwt.${new URL(req.url, server.url).searchParams.get('audience')}.sig` },
      }));
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${server.url}/token?api-version=2.0`;
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'req-tok';
      await expect(new GitHubRuntime().getIdToken('airlock')).resolves.toBe('jwt.airlock.sig');
      expect(stdout).toContain('::add-mask::jwt.airlock.sig');
    } finally {
      await server.close();
    }
  });

  it('reports the status of a failed ID-token request and whether to retry it', async () => {
    const server = await startScriptedServer();
    try {
      server.on('GET', '/token', { status: 500, text: 'boom' }, { status: 403, text: 'forbidden' });
      process.env.ACTIONS_ID_TOKEN_REQUEST_URL = `${server.url}/token?api-version=2.0`;
      process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'req-tok';
      const runtime = new GitHubRuntime();
      const first = (await runtime.getIdToken('a').catch((e: unknown) => e)) as IdTokenError;
      expect(first).toBeInstanceOf(IdTokenError);
      expect([first.status, first.retryable]).toEqual([500, true]);
      const second = (await runtime.getIdToken('a').catch((e: unknown) => e)) as IdTokenError;
      expect([second.status, second.retryable]).toEqual([403, false]);
      expect(second.message).toMatch(/HTTP 403/);
    } finally {
      await server.close();
    }
  });

  it('says a refused connection to the ID-token endpoint is worth retrying', async () => {
    process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'http://127.0.0.1:9/token?api-version=2.0';
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'req-tok';
    const err = (await new GitHubRuntime().getIdToken('a').catch((e: unknown) => e)) as IdTokenError;
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
  });
});
