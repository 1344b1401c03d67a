import fs from 'node:fs';
import path from 'node:path';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { JWT } from '../cli/cli-harness.js';
import { runProcess, type ProcessRun } from '../cli/processes.js';
import { createRepos, npmTarball, packagesNamed, pickVulnerable } from '../cli/samples.js';
import { importNpmAdvisories } from '../fixtures/actions/vulnerable-npm.js';
import { ROOT } from '../helpers/runner.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const BIN = path.join(ROOT, 'bin/airlock.js');
const BUNDLE = path.join(ROOT, 'dist/cli/index.js');

async function postJson(
  server: TestServer,
  route: string,
  body: unknown,
): Promise<{ slug: string; key: string }> {
  const res = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'x-api-key': server.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { slug: string; key: string };
}

describe('the airlock command (the bundle run as a process)', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let apiKey: string;
  let serviceSlug: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run package\` first.`);
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    await importNpmAdvisories(server.ctx.db);
    const service = await postJson(server, '/orgs/acme/services/', { name: 'terminal-ci', role: 'Member' });
    apiKey = service.key;
    serviceSlug = service.slug;
    await createRepos(server, serviceSlug, { dev: 'Admin', prod: 'Write' });
    issuer = await startDevIssuer();
    await postJson(server, '/orgs/acme/openid-connect/', {
      name: 'Local Actions',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository: 'owner/repo' },
      service_accounts: [serviceSlug],
      audience: 'airlock',
    });
  }, 120_000);
  afterAll(async () => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    await issuer?.close();
    await server?.close();
  });

  function workspace(files: Record<string, Buffer> = {}): string {
    const dir = tempDir('airlock-cli-e2e-');
    dirs.push(dir);
    for (const [name, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), bytes);
    }
    return dir;
  }

  function airlock(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ProcessRun> {
    return runProcess(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
    });
  }

  function json(run: ProcessRun): Record<string, unknown> {
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!) as Record<string, unknown>;
  }

  it('prints its help and exits 0', async () => {
    const run = await airlock(['--help'], workspace());
    expect(run.code).toBe(0);
    for (const name of ['auth', 'push', 'gate', 'promote', 'pipeline', 'report', 'whoami']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('exits 1 with a usage line naming a bad value, before anything is uploaded', async () => {
    const dir = workspace({ 'dist/a.tgz': await npmTarball('never-pushed', '1.0.0', {}) });
    const run = await airlock(
      [
        'pipeline',
        '--api-url',
        server.url,
        '--repo',
        'dev',
        '--files',
        'dist/*.tgz',
        '--fail-on',
        'severe',
        '--json',
      ],
      dir,
      { AIRLOCK_API_KEY: apiKey, AIRLOCK_OWNER: 'acme' },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: --fail-on \(or AIRLOCK_FAIL_ON\): "severe" is not a severity level; use one of critical, high/m,
    );
    expect(run.stderr).toContain('usage: airlock pipeline [--flag VALUE]...');
    expect(json(run)).toMatchObject({ ok: false, exitCode: 1 });
    expect(await packagesNamed(server, 'dev', 'never-pushed')).toEqual([]);
  });

  it('runs the whole pipeline: exit 2 and quarantine for a vulnerable package, never printing the key', async () => {
    const pick = await pickVulnerable();
    const dir = workspace({
      'dist/app.tgz': await npmTarball('cli-vuln', '2.0.0', { [pick.name]: pick.vulnerable }),
    });
    const run = await airlock(
      [
        'pipeline',
        '--files',
        'dist/*.tgz',
        '--repo',
        'dev',
        '--destination',
        'prod',
        '--quarantine-on-fail',
        '--json',
      ],
      dir,
      { AIRLOCK_API_URL: server.url, AIRLOCK_API_KEY: apiKey, AIRLOCK_OWNER: 'acme' },
    );
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(2);
    const result = json(run);
    expect(result).toMatchObject({ command: 'pipeline', ok: false, exitCode: 2, verdict: 'fail' });
    expect(result.promoted).toEqual([expect.objectContaining({ status: 'quarantined' })]);
    expect(fs.readFileSync(String(result.findings), 'utf8')).toContain(pick.id);
    expect(await packagesNamed(server, 'prod', 'cli-vuln')).toEqual([]);
    for (const text of [run.stdout, run.stderr, fs.readFileSync(String(result.findings), 'utf8')]) {
      expect(text).not.toContain(apiKey);
      expect(text).not.toMatch(/^::/m);
    }
  });

  it('pushes, gates and promotes a clean package across separate runs through .airlock/ state', async () => {
    const dir = workspace({ 'dist/app.tgz': await npmTarball('cli-clean', '2.0.0', {}) });
    const env = { AIRLOCK_API_URL: server.url, AIRLOCK_API_KEY: apiKey };
    const push = await airlock(
      ['push', '--owner', 'acme', '--repo', 'dev', '--files', 'dist/*.tgz'],
      dir,
      env,
    );
    expect(push.code).toBe(0);
    expect(push.stdout).toBe('pushed 1 package: cli-clean 2.0.0\n');
    const gate = await airlock(['gate', '--output', 'out/gate.json'], dir, env);
    expect(gate.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'out/gate.json'), 'utf8'))).toMatchObject({
      verdict: 'pass',
    });
    const promote = await airlock(['promote', '--destination', 'prod', '--json'], dir, env);
    expect(promote.code).toBe(0);
    expect(json(promote)).toMatchObject({ promoted: [{ name: 'cli-clean', status: 'promoted' }] });
    expect(await packagesNamed(server, 'prod', 'cli-clean')).toHaveLength(1);
    expect(fs.readdirSync(path.join(dir, '.airlock')).sort()).toEqual(
      expect.arrayContaining(['gate.json', 'packages.json', 'promote.json']),
    );
    for (const run of [push, gate, promote]) expect(run.stdout + run.stderr).not.toContain(apiKey);
  });

  it('gets its OIDC token from the GitHub Actions environment and prints no workflow command', async () => {
    const dir = workspace();
    const run = await airlock(['auth', '--org', 'acme', '--service-slug', serviceSlug, '--json'], dir, {
      GITHUB_ACTIONS: 'true',
      ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsTokenUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsToken,
      AIRLOCK_API_URL: server.url,
      AIRLOCK_DEBUG: 'true',
    });
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ method: 'oidc', identity: { slug: serviceSlug } });
    expect(run.stdout + run.stderr).not.toMatch(JWT);
    expect(run.stdout + run.stderr).not.toContain(issuer.actionsToken);
    expect(run.stdout + run.stderr).not.toMatch(/::/);
  });
});
