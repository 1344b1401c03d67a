import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { startDevIssuer, type DevIssuer } from '../../src/server/oidc/dev-issuer.js';
import { JWT } from '../cli/cli-harness.js';
import { trustJenkinsJob, type JenkinsTrust } from '../cli/jenkins-trust.js';
import { runProcess, type ProcessRun } from '../cli/processes.js';
import {
  createRepos,
  npmTarball,
  packagesNamed,
  pickVulnerable,
  type VulnerablePick,
} from '../cli/samples.js';
import { runGroovy } from '../helpers/groovy.js';
import { importNpmAdvisories } from '../fixtures/actions/vulnerable-npm.js';
import { loadArchive } from '../server/scan/advisories-data.js';
import { ROOT } from '../helpers/runner.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

/** The CLI as the Jenkins library carries it: a folder, and files.txt naming its files. */
const LIBRARY_CLI = path.join(ROOT, 'jenkins/resources/io/airlock/cli');

/** The files of the library's CLI, as its files.txt lists them. */
function libraryCliFiles(): string[] {
  return fs.readFileSync(path.join(LIBRARY_CLI, 'files.txt'), 'utf8').split('\n').filter(Boolean);
}
const JOB_CASE = 'a Jenkins job pushes, gates and promotes with its OIDC credential';

/** One `sh` step the Groovy harness captured: the command line and the environment it ran in. */
interface CapturedCall {
  step: string;
  script: string;
  env: Record<string, string>;
  /** Variables withCredentials bound (their captured values are stand-ins). */
  bound: string[];
  /** The CLI's entry file, in the folder the library wrote its files to (libraryResource + writeFile). */
  cli: string;
}

/** A case of the harness's report, with what it captured. */
interface HarnessCase {
  name: string;
  calls?: CapturedCall[];
  options?: Record<string, string[]>;
  connection?: string[];
}

/** Runs the Groovy harness and returns its report. */
function runHarness(): HarnessCase[] {
  const dir = tempDir('airlock-groovy-');
  try {
    const report = path.join(dir, 'report.json');
    const run = runGroovy(path.join(ROOT, 'jenkins/test/run.groovy'), [report]);
    if (run.code !== 0) throw new Error(`the Groovy harness failed:\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(fs.readFileSync(report, 'utf8')) as HarnessCase[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `waitTimeout` → `wait-timeout`. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** CLI flags no step argument maps to: output handling, and credentials (bound, never passed). */
const NOT_ARGUMENTS = ['json', 'output', 'help', 'api-key', 'github-token', 'oidc-token-file', 'matrix'];

interface StepRun extends ProcessRun {
  result: Record<string, unknown>;
}

describe('the Jenkins library, its captured command lines run for real', () => {
  let server: TestServer;
  let issuer: DevIssuer;
  let trust: JenkinsTrust;
  let pick: VulnerablePick;
  let harness: HarnessCase[];
  let calls: CapturedCall[];
  let secretsDir: string;
  const workspaces: string[] = [];
  const idTokens: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(LIBRARY_CLI, 'files.txt')))
      throw new Error(`${LIBRARY_CLI}/files.txt is missing: run \`npm run package\` first.`);
    harness = runHarness();
    const job = harness.find((c) => c.name === JOB_CASE)?.calls;
    if (!job) throw new Error(`the Groovy harness has no case '${JOB_CASE}'`);
    calls = job;
    pick = await pickVulnerable();
    server = await startTestServer({ allowLoopbackIssuers: true, limits: { requestsPerHour: 0 } });
    const imported = await importNpmAdvisories(server.ctx.db);
    expect(imported.added.length).toBe((await loadArchive('npm')).length);
    issuer = await startDevIssuer();
    trust = await trustJenkinsJob(server, issuer, 'jenkins-ci');
    // The harness's job names this service account.
    expect(trust.serviceSlug).toBe('jenkins-ci');
    // Quarantining a package takes Admin on its repository.
    await createRepos(server, trust.serviceSlug, { dev: 'Admin', prod: 'Write' });
    secretsDir = tempDir('airlock-secrets-');
  }, 120_000);
  afterAll(async () => {
    for (const dir of [...workspaces, secretsDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await issuer?.close();
    await server?.close();
  });

  /** A Jenkins workspace with the build's tarball in dist/. */
  function workspace(filename: string, tarball: Buffer): string {
    const dir = tempDir('airlock-workspace-');
    workspaces.push(dir);
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', filename), tarball);
    return dir;
  }

  /**
   * Runs one captured `sh` step as Jenkins would: the library's CLI files written where the
   * step writes it, the captured environment with each bound credential given a real value (a
   * fresh Jenkins ID token, as a string or a secret file outside the workspace), the job's
   * AIRLOCK_API_URL, and `bash -xe` as Jenkins' sh runs it.
   */
  async function runStep(call: CapturedCall, dir: string): Promise<StepRun> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      AIRLOCK_API_URL: server.url,
      ...call.env,
    };
    for (const variable of call.bound) {
      const token = await trust.idToken({ build_number: 7 });
      idTokens.push(token);
      if (variable === 'AIRLOCK_OIDC_TOKEN') env[variable] = token;
      else if (variable === 'AIRLOCK_OIDC_TOKEN_FILE') {
        const file = path.join(secretsDir, `${call.step}-id-token`);
        fs.writeFileSync(file, token);
        env[variable] = file;
      } else throw new Error(`the job binds ${variable}, which this test does not provide`);
    }
    const cliDir = path.dirname(path.join(dir, call.cli));
    fs.mkdirSync(cliDir, { recursive: true });
    for (const file of libraryCliFiles())
      fs.copyFileSync(path.join(LIBRARY_CLI, file), path.join(cliDir, file));
    const run = await runProcess('bash', ['-xe', '-c', call.script], { cwd: dir, env });
    const resultFile = path.join(dir, call.env.AIRLOCK_RESULT!);
    const result = fs.existsSync(resultFile)
      ? (JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Record<string, unknown>)
      : {};
    return { ...run, result };
  }

  async function runJob(dir: string): Promise<Record<string, StepRun>> {
    const runs: Record<string, StepRun> = {};
    for (const call of calls) runs[call.step] = await runStep(call, dir);
    return runs;
  }

  function expectNoSecrets(dir: string, runs: Record<string, StepRun>): void {
    const printed = Object.values(runs)
      .map((r) => `${r.stdout}\n${r.stderr}`)
      .join('\n');
    // What the steps wrote: the state, results and reports, not the CLI's own files.
    const airlock = path.join(dir, '.airlock');
    const written = fs
      .readdirSync(airlock, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && path.relative(airlock, e.parentPath).split(path.sep)[0] !== 'cli')
      .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    for (const text of [printed, written]) {
      for (const token of idTokens) expect(text).not.toContain(token);
      expect(text).not.toMatch(JWT);
      expect(text).not.toMatch(/^::/m);
    }
    // set +x: the shell traced nothing after it.
    for (const run of Object.values(runs)) expect(run.stderr.split('\n')[0]).toBe('+ set +x');
  }

  it('gives each step exactly the arguments its CLI subcommand has flags for', () => {
    const listed = harness.find((c) => c.options);
    expect(listed?.connection).toBeDefined();
    for (const [subcommand, options] of Object.entries(listed!.options!)) {
      const command = COMMANDS.find((c) => c.name === subcommand)!;
      const flags = command.flags.map((f) => f.name).filter((n) => !NOT_ARGUMENTS.includes(n));
      expect([subcommand, [...listed!.connection!, ...options].map(kebab).sort()]).toEqual([
        subcommand,
        flags.sort(),
      ]);
    }
  });

  it('captured push, gate and promote command lines with no secret in them', () => {
    expect(calls.map((c) => c.step)).toEqual(['airlockPush', 'airlockGate', 'airlockPromote']);
    for (const call of calls) {
      expect(call.script).toMatch(
        /^set \+x; "\$\{AIRLOCK_NODE:-node\}" "\$AIRLOCK_CLI" \w+ --json --output "\$AIRLOCK_RESULT" /,
      );
      expect(call.script).not.toContain('sekret');
    }
  });

  it('fails the gate (exit 2) for a package pinning a vulnerable dependency, and quarantines it', async () => {
    const tarball = await npmTarball('app-vuln', '1.0.0', { [pick.name]: pick.vulnerable });
    const dir = workspace('app-vuln-1.0.0.tgz', tarball);
    const runs = await runJob(dir);
    const { airlockPush: push, airlockGate: gate, airlockPromote: promote } = runs;

    expect(push!.code).toBe(0);
    expect(push!.result).toMatchObject({
      command: 'push',
      ok: true,
      packages: [{ name: 'app-vuln', version: '1.0.0' }],
    });

    expect(gate!.stderr).toContain(`Authenticated to ${server.url} as jenkins-ci through OIDC`);
    expect(gate!.code).toBe(2);
    expect(gate!.result).toMatchObject({ command: 'gate', ok: false, exitCode: 2, verdict: 'fail' });
    const counts = gate!.result.counts as Record<string, number>;
    expect(counts.critical + counts.high).toBeGreaterThan(0);
    expect(String(gate!.result.summary)).toMatch(/^The gate failed: /);
    const findings = fs.readFileSync(String(gate!.result.findings), 'utf8');
    expect(findings).toContain(pick.id);
    expect(String(gate!.result.findings).startsWith(path.join(fs.realpathSync(dir), '.airlock'))).toBe(true);

    expect(promote!.stderr).not.toMatch(/^error:/m);
    expect(promote!.code).toBe(2);
    expect(promote!.result).toMatchObject({
      command: 'promote',
      exitCode: 2,
      promoted: [{ status: 'quarantined' }],
    });
    expect(await packagesNamed(server, 'dev', 'app-vuln')).toEqual([
      expect.objectContaining({ is_quarantined: true }),
    ]);
    expect(await packagesNamed(server, 'prod', 'app-vuln')).toEqual([]);
    expectNoSecrets(dir, runs);
  });

  it('passes the gate for a clean package and promotes it, and a second promote changes nothing', async () => {
    const dir = workspace('app-clean-1.0.0.tgz', await npmTarball('app-clean', '1.0.0', {}));
    const runs = await runJob(dir);
    const { airlockPush: push, airlockGate: gate, airlockPromote: promote } = runs;
    expect(push!.code).toBe(0);
    expect(gate!.code).toBe(0);
    expect(gate!.result).toMatchObject({
      verdict: 'pass',
      counts: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    });
    expect(promote!.code).toBe(0);
    expect(promote!.result).toMatchObject({
      ok: true,
      promoted: [{ name: 'app-clean', status: 'promoted' }],
    });
    const promoted = await packagesNamed(server, 'prod', 'app-clean');
    expect(promoted).toHaveLength(1);
    expect(Object.values(promoted[0]!.tags).flat()).toContain('released');

    const again = await runStep(calls[2]!, dir);
    expect(again.code).toBe(0);
    expect(again.result).toMatchObject({ promoted: [{ status: 'unchanged' }] });
    expect(await packagesNamed(server, 'prod', 'app-clean')).toHaveLength(1);
    expectNoSecrets(dir, { ...runs, again });
  });
});
