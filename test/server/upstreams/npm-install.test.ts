import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { DEFAULT_TIMING } from '../../../src/server/upstreams/fetch.js';
import { callApi } from '../../helpers/principals.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { startVerdaccio, type Verdaccio } from '../../helpers/verdaccio.js';

const run = promisify(execFile);
const NAME = 'safe-pick';

/**
 * The real npm CLI installing through a repository whose upstream is a real registry: the
 * firewall steers a range away from the blocked version, and what was cached still installs
 * with the upstream stopped.
 */
describe('npm install through an upstream with the firewall', () => {
  let server: TestServer;
  let verdaccio: Verdaccio;
  let registry: string;
  let repoSlug: string;
  let work: string;
  let advisoryId: string;
  let offset = 0;

  const api = <T>(method: string, p: string, body?: unknown) =>
    callApi<T>(server.url, server.adminKey, method, p, body);

  /** `npm install spec` in a fresh project with a fresh cache; returns the installed version. */
  async function npmInstall(spec: string): Promise<string> {
    const project = fs.mkdtempSync(path.join(work, 'project-'));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
    const host = registry.replace(/^http:/, '');
    fs.writeFileSync(
      path.join(project, '.npmrc'),
      `registry=${registry}\n${host}:_authToken=${server.adminKey}\n`,
    );
    await run(
      'npm',
      [
        'install',
        spec,
        '--no-audit',
        '--no-fund',
        '--cache',
        path.join(project, '.cache'),
        '--userconfig',
        path.join(project, '.npmrc'),
      ],
      { cwd: project, env: { ...process.env, npm_config_registry: registry } },
    );
    const installed = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules', NAME, 'package.json'), 'utf8'),
    ) as { version: string };
    return installed.version;
  }

  beforeAll(async () => {
    work = tempDir('airlock-npm-install-');
    server = await startTestServer({}, { clock: () => new Date(Date.now() + offset) });
    verdaccio = await startVerdaccio();
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await verdaccio.publish(NAME, v);
    advisoryId = `AIRLOCK-TEST-${crypto.randomBytes(3).toString('hex')}`;
    const dir = tempDir('airlock-osv-');
    fs.writeFileSync(
      path.join(dir, `${advisoryId}.json`),
      JSON.stringify({
        id: advisoryId,
        modified: '2026-01-01T00:00:00Z',
        summary: 'safe-pick 1.2.0 ships a backdoor',
        affected: [
          {
            package: { ecosystem: 'npm', name: NAME },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '1.2.0' }, { fixed: '1.3.0' }] }],
            database_specific: { severity: 'CRITICAL' },
          },
        ],
      }),
    );
    await importAdvisories(server.ctx.db, dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const policy = await api('POST', '/orgs/acme/vulnerability-policy/', {
      name: 'block criticals',
      min_severity: 'High',
      on_violation_quarantine: true,
    });
    expect(policy.status).toBe(201);
    const repo = await api<{ slug: string }>('POST', '/repos/acme/', { name: 'dev-npm' });
    repoSlug = repo.body.slug;
    const up = await api('POST', `/repos/acme/${repoSlug}/upstream/npm/`, {
      name: 'verdaccio',
      upstream_url: verdaccio.url,
      mode: 'Cache and Proxy',
    });
    expect(up.status).toBe(201);
    registry = `${server.url}/npm/acme/${repoSlug}/`;
  }, 60_000);
  afterAll(async () => {
    await verdaccio?.close();
    await server?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('resolves ^1 to the newest version the firewall lets through, never the blocked one', async () => {
    expect(await npmInstall(`${NAME}@^1`)).toBe('1.1.0');
    const doc = await fetch(`${registry}${NAME}`, { headers: { 'X-Api-Key': server.adminKey } });
    const body = (await doc.json()) as {
      versions: Record<string, unknown>;
      'dist-tags': Record<string, string>;
    };
    expect(Object.keys(body.versions).sort()).toEqual(['1.0.0', '1.1.0']);
    expect(body['dist-tags'].latest).toBe('1.1.0');
  }, 120_000);

  it('answers 403 naming the advisory for the blocked tarball', async () => {
    const res = await fetch(`${registry}${NAME}/-/${NAME}-1.2.0.tgz`, {
      headers: { 'X-Api-Key': server.adminKey },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(advisoryId);
  });

  it('keeps the installed version as a Package of the repository', async () => {
    const pkgs = await api<Array<{ name: string; version: string; format: string }>>(
      'GET',
      `/packages/acme/${repoSlug}/`,
    );
    expect(pkgs.body.map((p) => `${p.format}:${p.name}@${p.version}`)).toEqual([`npm:${NAME}@1.1.0`]);
  });

  it('installs what was cached with the upstream stopped, saying the packument is stale', async () => {
    await verdaccio.stop();
    offset += DEFAULT_TIMING.documentTtlMs + 1000;
    const res = await fetch(`${registry}${NAME}`, { headers: { 'X-Api-Key': server.adminKey } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-airlock-upstream')).toBe('stale');
    expect(await npmInstall(`${NAME}@^1`)).toBe('1.1.0');
  }, 120_000);
});
