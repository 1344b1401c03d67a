import fs from 'node:fs';
import path from 'node:path';
import { importNpmAdvisories } from '../fixtures/actions/vulnerable-npm.js';
import { githubApi, nock } from '../helpers/nock.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { runAirlock } from './cli-harness.js';
import { mergeCheckout } from './git-checkout.js';
import { createRepos, npmTarball } from './samples.js';

const TOKEN = 'ghs_boundByWithCredentials0123456789';

describe('airlock gate on a Jenkins pull-request build with a GitHub token', () => {
  let server: TestServer;
  let apiKey: string;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    const res = await fetch(`${server.url}/orgs/acme/services/`, {
      method: 'POST',
      headers: { 'x-api-key': server.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'jenkins-gate', role: 'Member' }),
    });
    const service = (await res.json()) as { slug: string; key: string };
    apiKey = service.key;
    await createRepos(server, service.slug, { dev: 'Write' });
    // A service set up as its operator would: npm advisories loaded, so the gate can judge.
    await importNpmAdvisories(server.ctx.db);
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    dir = tempDir('airlock-gate-gh-');
  });
  afterEach(() => {
    nock.cleanAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the check run on the PR head and the comment on the pull request', async () => {
    const { prHead, merge } = mergeCheckout(dir);
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'web-1.0.0.tgz'), await npmTarball('web', '1.0.0', {}));
    const env = {
      AIRLOCK_API_URL: server.url,
      AIRLOCK_API_KEY: apiKey,
      CHANGE_ID: '8',
      CHANGE_URL: 'https://github.com/acme/web/pull/8',
      GIT_COMMIT: merge,
      JOB_NAME: 'web/PR-8',
      GITHUB_TOKEN: TOKEN,
    };
    const push = await runAirlock(['push', '--owner', 'acme', '--repo', 'dev', '--files', 'dist/*.tgz'], {
      cwd: dir,
      env,
    });
    expect(push.code).toBe(0);

    let headSha = '';
    const api = githubApi()
      .post('/repos/acme/web/check-runs', (b: { head_sha: string }) => ((headSha = b.head_sha), true))
      .reply(201, { id: 1, url: 'u', html_url: 'https://github.com/acme/web/runs/1' })
      .get('/repos/acme/web/issues/8/comments')
      .query(true)
      .reply(200, [])
      .post('/repos/acme/web/issues/8/comments')
      .reply(201, { id: 2, html_url: 'https://github.com/acme/web/pull/8#issuecomment-2' });
    const gate = await runAirlock(['gate', '--wait-timeout', '30s', '--json'], { cwd: dir, env });
    expect(gate.stderr).not.toMatch(/^(error|warning):/m);
    expect(gate.code).toBe(0);
    expect(gate.json).toMatchObject({ verdict: 'pass' });
    expect(api.isDone()).toBe(true);
    expect(headSha).toBe(prHead);
    expect(gate.stdout + gate.stderr).not.toContain(TOKEN);
    expect(gate.stdout + gate.stderr).not.toContain(apiKey);
  });
});
