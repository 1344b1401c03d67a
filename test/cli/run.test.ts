import fs from 'node:fs';
import path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { JWT, readJson, runAirlock } from './cli-harness.js';
import { JENKINS_URL, trustJenkinsJob, type JenkinsTrust } from './jenkins-trust.js';

describe('airlock (auth, whoami and the command line itself)', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let trust: JenkinsTrust;
  let cwd: string;

  beforeAll(async () => {
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    issuer = await startDevIssuer();
    trust = await trustJenkinsJob(server, issuer);
  });
  afterAll(async () => {
    await issuer?.close();
    await server?.close();
  });
  beforeEach(() => {
    cwd = tempDir('airlock-cli-');
  });
  afterEach(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('lists the commands and exit codes with --help', async () => {
    const run = await runAirlock(['--help'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}auth {4}/m);
    expect(run.stdout).toMatch(/^ {2}whoami {2}/m);
    expect(run.stdout).toContain('2  the gate failed');
  });

  it("lists a subcommand's flags with their variables and defaults with --help", async () => {
    const run = await runAirlock(['auth', '--help'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--service-slug VALUE');
    expect(run.stdout).toMatch(/--audience VALUE\n[^]*?Default: airlock\. Env: AIRLOCK_AUDIENCE\./);
    expect(run.stdout).toMatch(/--oidc-token-file VALUE\n[^]*?Env: AIRLOCK_OIDC_TOKEN_FILE\./);
  });

  it('exits 1 with a usage line naming an unknown flag, and writes the error to --output', async () => {
    const run = await runAirlock(['auth', '--output', 'out/result.json', '--servce-slug', 'x', '--json'], {
      cwd,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: unknown flag --servce-slug (did you mean --service-slug?)\n' +
        'usage: airlock auth [--flag VALUE]... (airlock auth --help lists the flags)\n',
    );
    const expected = {
      command: 'auth',
      ok: false,
      exitCode: 1,
      error: 'unknown flag --servce-slug (did you mean --service-slug?)',
    };
    expect(readJson(path.join(cwd, 'out/result.json'))).toEqual(expected);
    expect(run.json).toEqual(expected);
  });

  it('exits 1 with a usage line for an unknown command', async () => {
    const run = await runAirlock(['deploy'], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: unknown command 'deploy'\nusage: airlock <auth\|push\|gate/);
  });

  it('exits 1 with a usage line naming a bad value', async () => {
    const run = await runAirlock(['auth', '--api-url', 'ftp://x', '--api-key', 'key-1234', '--json'], {
      cwd,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: --api-url \(or AIRLOCK_API_URL\): 'ftp:\/\/x' is not an API URL; expected an http\(s\) URL/m,
    );
    expect(run.stderr).toContain('usage: airlock auth [--flag VALUE]...');
    expect(run.json).toMatchObject({ command: 'auth', ok: false, exitCode: 1 });
  });

  it('says who an API key from AIRLOCK_API_KEY acts as, without printing the key', async () => {
    const env = { AIRLOCK_API_URL: server.url, AIRLOCK_API_KEY: server.adminKey };
    const plain = await runAirlock(['whoami'], { cwd, env });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('acme-admin\n');
    const json = await runAirlock(['whoami', '--json', '--output', 'whoami.json'], { cwd, env });
    expect(json.json).toEqual({
      command: 'whoami',
      ok: true,
      exitCode: 0,
      summary: 'acme-admin',
      method: 'api-key',
      identity: { slug: 'acme-admin', name: expect.any(String) },
    });
    expect(readJson(path.join(cwd, 'whoami.json'))).toEqual(json.json);
    for (const run of [plain, json]) expect(run.stdout + run.stderr).not.toContain(server.adminKey);
  });

  it('exchanges a Jenkins ID token from AIRLOCK_OIDC_TOKEN and prints neither token', async () => {
    const idToken = await trust.idToken();
    const run = await runAirlock(
      ['auth', '--api-url', server.url, '--org', 'acme', '--service-slug', trust.serviceSlug, '--json'],
      { cwd, env: { AIRLOCK_OIDC_TOKEN: idToken, AIRLOCK_DEBUG: '1' } },
    );
    expect(run.stderr).toContain(`Authenticated to ${server.url} as ${trust.serviceSlug} through OIDC`);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({
      command: 'auth',
      ok: true,
      method: 'oidc',
      identity: { slug: trust.serviceSlug },
      expiresAt: expect.stringMatching(/^\d{4}-/),
    });
    const printed = run.stdout + run.stderr;
    expect(printed).not.toContain(idToken);
    expect(printed).not.toMatch(JWT);
    expect(printed).not.toMatch(/^::/m);
    expect(fs.readdirSync(cwd)).toEqual([]);
  });

  it('reads the ID token from --oidc-token-file (Jenkins idTokenFile) relative to the working directory', async () => {
    fs.writeFileSync(path.join(cwd, 'id-token'), `${await trust.idToken()}\n`);
    const run = await runAirlock(
      ['whoami', '--oidc-token-file', 'id-token', '--service-slug', trust.serviceSlug],
      {
        cwd,
        env: { AIRLOCK_API_URL: server.url, AIRLOCK_ORG: 'acme' },
      },
    );
    expect(run.stderr).not.toMatch(JWT);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${trust.serviceSlug}\n`);
  });

  it('exits 1 with the reason when the repository refuses the exchange', async () => {
    const idToken = await trust.idToken({ sub: `${JENKINS_URL}job/other-app/job/main/` });
    const run = await runAirlock(['auth', '--org', 'acme', '--service-slug', trust.serviceSlug, '--json'], {
      cwd,
      env: { AIRLOCK_API_URL: server.url, AIRLOCK_OIDC_TOKEN: idToken },
    });
    expect(run.code).toBe(1);
    expect(run.json?.error).toMatch(/refused the OIDC exchange for org 'acme'.*401 oidc_rejected/);
    expect(run.stdout + run.stderr).not.toContain(idToken);
  });
});
