import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { describeSendFailure } from '../../src/client/errors.js';
import { tempDir } from '../helpers/server.js';
import { runAirlock, type CliRun } from './cli-harness.js';

/** Nothing listens here: every test below fails before a request, or is meant to reach no one. */
const NOWHERE = 'http://127.0.0.1:9';
const KEY = { AIRLOCK_API_URL: NOWHERE, AIRLOCK_API_KEY: 'key-for-messages' };

/** The lines of the error the run printed (stderr lines starting with `error:`). */
function errorLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('error:'));
}

/** The run failed with exit 1, one error line matching `pattern`, and no workflow wording. */
function expectCliError(run: CliRun, pattern: RegExp): void {
  expect(run.code).toBe(1);
  const lines = errorLines(run);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\bInput [a-z]|action earlier in the job|the auth action/);
}

describe('what the CLI says is missing or wrong, in its own flags and variables', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = tempDir('airlock-cli-messages-');
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('names --api-url and AIRLOCK_API_URL when the API URL is missing', async () => {
    const run = await runAirlock(['push', '--owner', 'acme', '--repo', 'dev', '--files', 'dist/*.tgz'], {
      cwd,
      env: { AIRLOCK_API_KEY: 'key-1234' },
    });
    expectCliError(
      run,
      /^error: --api-url \(or AIRLOCK_API_URL\) is required: give the repository's API URL/,
    );
  });

  it('names --api-key and AIRLOCK_API_KEY, and OIDC through --org and --service-slug, when no credential is given', async () => {
    const run = await runAirlock(['gate', '--api-url', NOWHERE, '--owner', 'acme', '--repo', 'dev'], { cwd });
    expectCliError(
      run,
      /^error: --api-key \(or AIRLOCK_API_KEY\) is required: give an API key, or --org and --service-slug to exchange the CI's OIDC token/,
    );
  });

  it('names the flags of both ways to authenticate when auth has neither', async () => {
    const run = await runAirlock(['auth', '--api-url', NOWHERE], { cwd });
    expectCliError(
      run,
      /^error: Give either --org and --service-slug \(OIDC, recommended\) or --api-key \(or AIRLOCK_API_KEY\)/,
    );
  });

  it('names the missing half of OIDC and the flag that asked for it', async () => {
    const run = await runAirlock(['auth', '--api-url', NOWHERE, '--org', 'acme'], { cwd });
    expectCliError(run, /^error: --service-slug \(or AIRLOCK_SERVICE_SLUG\) is required when --org is given/);
  });

  it('names the flag and variable of a bad value', async () => {
    const run = await runAirlock(['gate', '--owner', 'acme', '--repo', 'dev', '--fail-on', 'severe'], {
      cwd,
      env: { ...KEY, AIRLOCK_PACKAGES: '[{"slug_perm":"abc"}]' },
    });
    expectCliError(run, /^error: --fail-on \(or AIRLOCK_FAIL_ON\): "severe" is not a severity level/);
  });

  it('tells gate to run `airlock push` here first when there are no packages', async () => {
    const run = await runAirlock(['gate', '--owner', 'acme', '--repo', 'dev'], { cwd, env: KEY });
    expectCliError(
      run,
      /^error: --packages \(or AIRLOCK_PACKAGES\) is required: run `airlock push` in this directory first \(it records the packages in \.airlock\/packages\.json\)/,
    );
  });

  it('tells promote to run `airlock gate` here first when there is no gate result', async () => {
    const run = await runAirlock(['promote', '--owner', 'acme', '--repo', 'dev', '--destination', 'prod'], {
      cwd,
      env: { ...KEY, AIRLOCK_PACKAGES: '[{"slug_perm":"abc"}]' },
    });
    expectCliError(
      run,
      /^error: --gate-result \(or AIRLOCK_GATE_RESULT\) is required: run `airlock gate` in this directory first \(it records its result in \.airlock\/gate\.json\) or give pass or fail/,
    );
  });

  it('names --name, --version and --format for a raw push without a name', async () => {
    const run = await runAirlock(
      ['push', '--owner', 'acme', '--repo', 'dev', '--files', 'a.bin', '--format', 'raw'],
      { cwd, env: KEY },
    );
    expectCliError(
      run,
      /^error: --name \(or AIRLOCK_NAME\) is required when --format is raw: raw packages take their name and version from --name and --version\./,
    );
  });

  it('says which flag or variable to give for a required input the runtime itself checks', async () => {
    const run = await runAirlock(['auth', '--org', 'acme', '--service-slug', 'ci'], { cwd });
    expectCliError(
      run,
      /^error: --api-url or AIRLOCK_API_URL is required: pass the flag or set the variable\./,
    );
  });
});

describe('push and the repository it goes to', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = tempDir('airlock-cli-push-repo-');
    fs.mkdirSync(path.join(cwd, 'dist'));
    fs.writeFileSync(path.join(cwd, 'dist', 'a.tgz'), 'not really a tarball');
    // What an earlier push in this workspace recorded.
    fs.mkdirSync(path.join(cwd, '.airlock'));
    fs.writeFileSync(
      path.join(cwd, '.airlock', 'packages.json'),
      JSON.stringify({ owner: 'acme', repo: 'dev', packages: [{ slug_perm: 'abc' }] }),
    );
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('requires --repo rather than reusing the repository of the last push in .airlock/', async () => {
    const run = await runAirlock(['push', '--owner', 'acme', '--files', 'dist/*.tgz', '--json'], {
      cwd,
      env: KEY,
    });
    expectCliError(run, /^error: --repo \(or AIRLOCK_REPO\) is required: give the repository slug/);
    expect(run.json).toMatchObject({ command: 'push', ok: false, exitCode: 1 });
  });

  it('requires --owner too', async () => {
    const run = await runAirlock(['push', '--repo', 'dev', '--files', 'dist/*.tgz'], { cwd, env: KEY });
    expectCliError(run, /^error: --owner \(or AIRLOCK_OWNER\) is required: give the organisation/);
  });

  it('takes the repository from AIRLOCK_REPO', async () => {
    // It gets past the settings to the network, where nothing listens on port 9.
    const run = await runAirlock(
      ['push', '--files', 'dist/*.tgz', '--format', 'raw', '--name', 'a', '--version', '1'],
      {
        cwd,
        env: { ...KEY, AIRLOCK_OWNER: 'acme', AIRLOCK_REPO: 'staging', AIRLOCK_RETRIES: '0' },
      },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('to acme/staging');
    expect(errorLines(run)).toEqual([expect.stringMatching(/ECONNREFUSED/)]);
  });
});

describe('an https URL pointed at a plain-HTTP server', () => {
  let server: http.Server;
  let port: number;
  let cwd: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    cwd = tempDir('airlock-cli-tls-');
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('prints one line naming the URL and the likely cause, not an OpenSSL dump', async () => {
    const run = await runAirlock(['whoami', '--api-url', `https://127.0.0.1:${port}`], {
      cwd,
      env: { AIRLOCK_API_KEY: 'key-1234' },
    });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([
      `error: GET /user/self/: https://127.0.0.1:${port} did not answer the TLS handshake: it is most likely a plain-HTTP server, so use http://127.0.0.1:${port} (or the port where it serves HTTPS).`,
    ]);
    expect(run.stderr).not.toMatch(/SSL routines|openssl|^error: *$/m);
  });

  it('keeps other failures as one line without OpenSSL codes', () => {
    const error = Object.assign(
      new Error(
        'write EPROTO 800C648DF57F0000:error:0A000086:SSL routines:tls_post_process:certificate verify failed:../deps/openssl/ssl/x.c:350:\n',
      ),
      { code: 'EPROTO' },
    );
    expect(describeSendFailure(error, 'https://repo.test/user/self/')).toBe(
      'write EPROTO certificate verify failed',
    );
  });
});
