import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../server/app.js';
import { parseConfig } from '../server/config.js';
import { initOrg } from '../server/domain/orgs.js';
import { startDevIssuer } from '../server/oidc/dev-issuer.js';
import { importIntoFeeds } from '../server/scan/advisories/import-feed.js';
import { dbOf } from '../server/store/source.js';
import { runAction, type ActionRun } from './runner.js';
import { pickDependency, writeNpmSample } from './samples.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io'];

/**
 * The OSV archives the demo imports: AIRLOCK_ADVISORIES (a folder of full archives), else the
 * small real subset the repository ships (enough for the demo, offline).
 */
function chooseAdvisories(): { dir: string; label: string } {
  const hasNpm = (dir: string): boolean => fs.existsSync(path.join(dir, 'npm/all.zip'));
  if (process.env.AIRLOCK_ADVISORIES) {
    const dir = path.resolve(process.env.AIRLOCK_ADVISORIES);
    if (!hasNpm(dir)) {
      throw new Error(
        `AIRLOCK_ADVISORIES=${dir} holds no npm/all.zip: point it at a folder of <ecosystem>/all.zip archives.`,
      );
    }
    return { dir, label: 'from AIRLOCK_ADVISORIES' };
  }
  return {
    dir: path.join(ROOT, 'test/fixtures/advisories'),
    label: 'the small OSV subset shipped for offline use',
  };
}

/** Writes a line of the demo's narration. */
function say(text = ''): void {
  process.stdout.write(text + '\n');
}

async function call(
  base: string,
  key: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(base + p, {
    method,
    headers: { 'X-Api-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * The README's main command: starts the embedded repository service in a temporary directory,
 * imports the OSV advisories, starts a local OIDC issuer posing as GitHub's ID-token endpoint,
 * configures trust, and runs the real pipeline action bundle as a GitHub runner would on two
 * sample packages — one whose lockfile pins a vulnerable dependency (the gate fails, nothing is
 * promoted, it is quarantined) and one that pins the fixed version (promoted from dev to prod).
 */
async function main(): Promise<number> {
  const started = Date.now();
  const { dir: advisories, label: advisoryLabel } = chooseAdvisories();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-demo-'));
  const { app, ctx } = await buildApp(
    parseConfig({ dataDir: path.join(work, 'data'), port: 0, logLevel: 'warn', allowLoopbackIssuers: true }),
  );
  const issuer = await startDevIssuer({
    claims: {
      repository: 'acme/widgets',
      repository_owner: 'acme',
      sub: 'repo:acme/widgets:ref:refs/heads/main',
      ref: 'refs/heads/main',
    },
  });
  try {
    say('Airlock demo: the embedded repository service, the real action bundles, two packages.\n');
    say(`  advisories: ${advisoryLabel} (${advisories})`);
    for (const eco of ECOSYSTEMS) {
      const archive = path.join(advisories, eco, 'all.zip');
      if (!fs.existsSync(archive)) continue;
      const imported = await importIntoFeeds(dbOf(ctx), archive, { clock: ctx.clock, ecosystem: eco });
      const count = imported.kind === 'imported' ? imported.result.added.length : 0;
      say(`  advisories: ${eco.padEnd(9)} ${count} imported`);
    }
    const init = await initOrg(ctx, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('the demo org already existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = ctx.baseUrl;
    const admin = init.apiKey;
    await call(base, admin, 'POST', '/repos/acme/', { name: 'dev' });
    await call(base, admin, 'POST', '/repos/acme/', { name: 'prod' });
    const service = await call(base, admin, 'POST', '/orgs/acme/services/', {
      name: 'github-ci',
      role: 'Member',
    });
    const slug = String(service.slug);
    await call(base, admin, 'PUT', '/repos/acme/dev/privileges', {
      privileges: [{ privilege: 'Admin', service: slug }],
    });
    await call(base, admin, 'PUT', '/repos/acme/prod/privileges', {
      privileges: [{ privilege: 'Write', service: slug }],
    });
    await call(base, admin, 'POST', '/orgs/acme/openid-connect/', {
      name: 'GitHub Actions (local issuer)',
      enabled: true,
      provider_url: issuer.issuer,
      claims: { repository: 'acme/widgets', ref: 'refs/heads/main' },
      service_accounts: [slug],
    });
    say(`  service:    ${base} (org acme, repositories dev and prod)`);
    say(`  trust:      OIDC tokens of acme/widgets on main act as service account '${slug}'\n`);

    const dep = await pickDependency(path.join(advisories, 'npm/all.zip'));
    const samples = path.join(work, 'dist');
    fs.mkdirSync(samples);
    const vulnerable = await writeNpmSample(samples, 'widgets-legacy', {
      name: dep.name,
      version: dep.vulnerable,
    });
    const clean = await writeNpmSample(samples, 'widgets', { name: dep.name, version: dep.fixed });

    const runs: { label: string; file: string; run: ActionRun }[] = [];
    for (const [label, file] of [
      [`vulnerable (${dep.name}@${dep.vulnerable}, ${dep.advisory}, ${dep.severity})`, vulnerable],
      [`clean (${dep.name}@${dep.fixed})`, clean],
    ] as const) {
      const run = await runAction({
        root: ROOT,
        action: 'action.yml',
        inputs: {
          'api-url': base,
          org: 'acme',
          'service-slug': slug,
          repo: 'dev',
          files: file,
          destination: 'prod',
          'fail-on': 'high',
          'quarantine-on-fail': 'true',
          'wait-timeout': '60s',
          'github-token': '',
        },
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: issuer.actionsTokenUrl,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.actionsToken,
          GITHUB_REPOSITORY: 'acme/widgets',
          GITHUB_REF: 'refs/heads/main',
          GITHUB_EVENT_NAME: 'push',
          GITHUB_WORKFLOW: 'build',
          GITHUB_JOB: 'build',
          GITHUB_RUN_ID: '1',
        },
      });
      runs.push({ label, file, run });
      say(`── job summary: ${label} ${'─'.repeat(Math.max(0, 60 - label.length))}`);
      say(run.summary.trim() || '(no summary written)');
      say();
    }

    const prod = (await call(base, admin, 'GET', '/packages/acme/prod/')) as unknown as { name: string }[];
    const dev = (await call(base, admin, 'GET', '/packages/acme/dev/')) as unknown as {
      name: string;
      is_quarantined: boolean;
    }[];
    const [bad, good] = runs;
    const badQuarantined = dev.some((p) => p.name === 'widgets-legacy' && p.is_quarantined);
    const checks: [string, boolean][] = [
      ['the vulnerable package failed the gate', bad!.run.code !== 0 && bad!.run.outputs.result === 'fail'],
      ['the vulnerable package was not promoted', !prod.some((p) => p.name === 'widgets-legacy')],
      ['the vulnerable package is quarantined in dev', badQuarantined],
      ['the clean package passed the gate', good!.run.code === 0 && good!.run.outputs.result === 'pass'],
      ['the clean package was promoted to prod', prod.some((p) => p.name === 'widgets')],
    ];
    say('── outcome ' + '─'.repeat(62));
    for (const [text, ok] of checks) say(`  ${ok ? '✓' : '✗'} ${text}`);
    say(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    const failed = checks.filter(([, ok]) => !ok);
    if (failed.length > 0) {
      for (const r of runs)
        process.stderr.write(`\n--- ${r.label}: exit ${r.run.code}\n${r.run.stdout}\n${r.run.stderr}\n`);
      return 1;
    }
    return 0;
  } finally {
    await issuer.close();
    await app.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`airlock demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
