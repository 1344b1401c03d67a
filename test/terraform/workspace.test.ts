/**
 * The real thing: Terraform with the provider built from source (`.ci/tools.d/terraform-provider.sh`,
 * used through `dev_overrides`, no `init`) applies the workspace-as-code configuration against the
 * service with only `api_host` changed, authenticated by a token from the OIDC exchange script, not
 * an admin key. The provider sleeps ≥ 2 s per create, 7 s per update and 10 s per delete, so the
 * configuration stays small. Prints `terraform: N/M steps pass`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SYSTEM_ACTOR } from '../../src/server/domain/access.js';
import { addUser } from '../../src/server/domain/users.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { callApi } from '../helpers/principals.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const FIXTURES = path.resolve('test/fixtures/workspace-as-code');
const STEP_TIMEOUT_MS = 5 * 60 * 1000;

describe('terraform applies the workspace-as-code configuration', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const results: [string, boolean][] = [];

  /** Runs one terraform command in the working directory; returns its exit code and output. */
  function terraform(...args: string[]): { code: number; out: string } {
    const run = spawnSync(process.env.AIRLOCK_TERRAFORM ?? 'terraform', args, {
      cwd: work,
      env,
      encoding: 'utf8',
      timeout: STEP_TIMEOUT_MS,
    });
    return { code: run.status ?? -1, out: `${run.stdout}\n${run.stderr}` };
  }

  /** Records a step's outcome for the summary line, then asserts it. */
  function step(name: string, ok: boolean, detail: string): void {
    results.push([name, ok]);
    if (!ok) throw new Error(`terraform step '${name}' failed:\n${detail}`);
  }

  beforeAll(async () => {
    const providerDir = process.env.AIRLOCK_TF_PROVIDER_DIR;
    if (!providerDir)
      throw new Error('AIRLOCK_TF_PROVIDER_DIR is not set: run .ci/tools.d/terraform-provider.sh');
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    issuer = await startDevIssuer();
    const admin = (method: string, p: string, body?: unknown) =>
      callApi(server.url, server.adminKey, method, p, body);
    expect((await admin('POST', '/orgs/acme/services/', { name: 'terraform', role: 'Manager' })).status).toBe(
      201,
    );
    const trust = await admin('POST', '/orgs/acme/openid-connect/', {
      name: 'CI',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository: 'acme/workspace', ref: 'refs/heads/main' },
      service_accounts: ['terraform'],
    });
    expect(trust.status).toBe(201);
    await addUser(
      server.ctx,
      server.ctx.secret,
      { org: 'acme', email: 'alice@example.com', role: 'Member' },
      new Date(),
      SYSTEM_ACTOR,
    );

    work = tempDir('airlock-terraform-');
    const apiHost = `${server.url}/v1`;
    const mainTf = fs
      .readFileSync(path.join(FIXTURES, 'main.tf'), 'utf8')
      .replace('https://airlock.example.com/v1', apiHost);
    fs.writeFileSync(path.join(work, 'main.tf'), mainTf);
    const cliConfig = path.join(work, 'terraform.rc');
    fs.writeFileSync(
      cliConfig,
      `provider_installation {\n  dev_overrides {\n    "cloudsmith-io/cloudsmith" = "${providerDir}"\n  }\n  direct {}\n}\n`,
    );

    // The exchange script of docs/workspace-as-code.md, run as the CI would before Terraform.
    const ciToken = await issuer.sign({ repository: 'acme/workspace', ref: 'refs/heads/main' });
    const exchange = spawnSync('sh', [path.join(FIXTURES, 'exchange.sh')], {
      env: {
        ...process.env,
        API_HOST: apiHost,
        ORG: 'acme',
        SERVICE_SLUG: 'terraform',
        CI_OIDC_TOKEN: ciToken,
      },
      encoding: 'utf8',
    });
    step(
      'exchange the CI token',
      exchange.status === 0 && exchange.stdout.trim().length > 0,
      exchange.stderr,
    );
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_VAR_api_key: exchange.stdout.trim(),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
    };
  }, 60_000);

  afterAll(async () => {
    process.stdout.write(`terraform: ${results.filter(([, ok]) => ok).length}/${STEPS} steps pass\n`);
    await issuer?.close();
    await server?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const STEPS = 8;

  it(
    'applies, shows no changes, sees drift, imports a repository and a team, and destroys',
    async () => {
      const apply = terraform('apply', '-auto-approve', '-input=false', '-no-color');
      step('apply', apply.code === 0, apply.out);
      const repo = await callApi<{ description: string }>(
        server.url,
        server.adminKey,
        'GET',
        '/repos/acme/dev/',
      );
      expect(repo.body.description).toBe('Built by CI');

      const again = terraform('plan', '-detailed-exitcode', '-input=false', '-no-color');
      step('second plan shows no changes', again.code === 0, again.out);

      // A change behind Terraform's back.
      await callApi(server.url, server.adminKey, 'PATCH', '/repos/acme/dev/', {
        description: 'changed by hand',
      });
      const drift = terraform('plan', '-detailed-exitcode', '-input=false', '-no-color');
      step(
        'a change made through the API shows as drift',
        drift.code === 2 && drift.out.includes('changed by hand'),
        drift.out,
      );
      const restore = terraform('apply', '-auto-approve', '-input=false', '-no-color');
      step('apply puts it back', restore.code === 0, restore.out);

      for (const [address, id] of [
        ['cloudsmith_repository.dev', 'acme.dev'],
        ['cloudsmith_team.developers', 'acme.developers'],
      ]) {
        expect(terraform('state', 'rm', address).code).toBe(0);
        const imported = terraform('import', '-input=false', '-no-color', address, id);
        step(`import ${address}`, imported.code === 0, imported.out);
      }

      const destroy = terraform('destroy', '-auto-approve', '-input=false', '-no-color');
      step('destroy removes what apply made', destroy.code === 0, destroy.out);
      expect((await callApi(server.url, server.adminKey, 'GET', '/repos/acme/dev/')).status).toBe(404);
      expect((await callApi(server.url, server.adminKey, 'GET', '/orgs/acme/teams/developers/')).status).toBe(
        404,
      );

      const leaked = JSON.stringify(results) + apply.out + destroy.out;
      expect(leaked).not.toContain(env.TF_VAR_api_key);
    },
    15 * 60 * 1000,
  );
});
