import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';
import { importFixtureAdvisories, npmTarball } from './advisories-fixtures.js';

/** The repository root: this file runs as lib/bench/actions.js. */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const ACTIONS = ['auth', 'push', 'gate', 'promote', 'pipeline'];
const COLD_RUNS = 10;
const PIPELINE_RUNS = 5;

/** Figures of the actions benchmark. */
export interface ActionFigures {
  /** Median milliseconds from spawning `node dist/<name>/index.js` with no inputs to its exit, per bundle (the actions and the CLI; the CLI prints its usage). */
  coldStartMs: Record<string, number>;
  /** The same for `node -e ''`: what any bundle costs at least. */
  bareNodeMs: number;
  /** Median wall time of the pipeline bundle from its start to its verdict, one small package on loopback. */
  pipelineMs: number;
  /** Verdict of each pipeline run. */
  verdicts: string[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs a process to its end; resolves with its wall time, exit code and output. */
function timed(
  node: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, out }));
  });
}

/** A runner's environment for the root action: its declared defaults overlaid with `inputs`. */
function runnerEnv(dir: string, inputs: Record<string, string>): NodeJS.ProcessEnv {
  const spec = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
  };
  for (const file of ['output', 'env', 'summary', 'state']) fs.writeFileSync(path.join(dir, file), '');
  Object.assign(env, {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_STATE: path.join(dir, 'state'),
  });
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.default !== undefined) env[`INPUT_${name.toUpperCase()}`] = String(input.default);
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

/** The bundles whose cold start is measured: every action's and the CLI's. */
const BUNDLES = [...ACTIONS, 'cli'];

/** What the cold start of one Node binary came to. */
interface ColdStarts {
  coldStartMs: Record<string, number>;
  bareNodeMs: number;
}

/**
 * Cold starts under one Node binary: each bundle run with no inputs (it loads, reads its first
 * input and fails — its start-up cost; the CLI prints its usage), next to `node -e ''` and an
 * empty ES module (what the module loader alone costs, which every bundle pays). The runs are
 * interleaved so that a busy machine slows each figure alike; ratios are to bare node.
 */
async function benchColdStarts(node: string, label: string): Promise<ColdStarts> {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir() };
  const empty = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-esm-')), 'empty.mjs');
  fs.writeFileSync(empty, '');
  const emptyCjs = path.join(path.dirname(empty), 'empty.cjs');
  fs.writeFileSync(emptyCjs, '');
  const bundles = BUNDLES.filter((name) => {
    const bundle = path.join(ROOT, 'dist', name, 'index.js');
    if (fs.existsSync(bundle)) return true;
    console.log(`cold start  ${name.padEnd(9)} (no ${path.relative(ROOT, bundle)}: run npm run package)`);
    return false;
  });
  const runs: Record<string, number[]> = { bare: [], esm: [], cjs: [] };
  for (const name of bundles) runs[name] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    runs.bare!.push((await timed(node, ['-e', ''], env)).ms);
    runs.esm!.push((await timed(node, [empty], env)).ms);
    runs.cjs!.push((await timed(node, [emptyCjs], env)).ms);
    for (const name of bundles) {
      runs[name]!.push((await timed(node, [path.join(ROOT, 'dist', name, 'index.js')], env)).ms);
    }
  }
  fs.rmSync(path.dirname(empty), { recursive: true, force: true });
  const bareNodeMs = median(runs.bare!);
  const ratio = (ms: number): string => `${(ms / bareNodeMs).toFixed(2)}× bare node`;
  console.log(`cold start under ${label}, median of ${COLD_RUNS} (aim: the slowest ≤ 1.5× bare node)`);
  console.log(`  bare node      ${bareNodeMs.toFixed(0).padStart(4)} ms  (node -e '')`);
  const esmMs = median(runs.esm!);
  console.log(
    `  empty module   ${esmMs.toFixed(0).padStart(4)} ms  ${ratio(esmMs)}  (the ES module loader alone)`,
  );
  const cjsMs = median(runs.cjs!);
  console.log(
    `  empty CommonJS ${cjsMs.toFixed(0).padStart(4)} ms  ${ratio(cjsMs)}  (the bundles are CommonJS: no ES module loader)`,
  );
  const coldStartMs: Record<string, number> = {};
  for (const name of bundles) {
    const ms = median(runs[name]!);
    coldStartMs[name] = ms;
    const dir = path.join(ROOT, 'dist', name);
    const main = fs.statSync(path.join(dir, 'index.js')).size / 1024;
    const chunks = fs.readdirSync(dir).filter((f) => /^\d+\.index\.js$/.test(f)).length;
    console.log(
      `  ${name.padEnd(14)} ${ms.toFixed(0).padStart(4)} ms  ${ratio(ms)}  (index.js ${main.toFixed(0)} KiB${chunks ? `, ${chunks} chunks loaded on demand` : ''})`,
    );
  }
  const slowest = Object.entries(coldStartMs).sort((a, b) => b[1] - a[1])[0];
  if (slowest) {
    console.log(
      `  slowest: ${slowest[0]}, ${ratio(slowest[1])} (${(slowest[1] / bareNodeMs / 1.5).toFixed(2)}× the aim)`,
    );
  }
  return { coldStartMs, bareNodeMs };
}

async function benchPipeline(): Promise<{ pipelineMs: number; verdicts: string[] }> {
  const bundle = path.join(ROOT, 'dist/pipeline/index.js');
  if (!fs.existsSync(bundle)) return { pipelineMs: NaN, verdicts: [] };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-actions-'));
  const config = parseConfig({ dataDir, port: 0, logLevel: 'silent', limits: { requestsPerHour: 0 } });
  const { app, ctx } = await buildApp(config);
  try {
    // A fresh service holds no advisories, and the gate fails closed on what it could not
    // evaluate: the small real set the tests use lets the figure time the passing path.
    const advisories = await importFixtureAdvisories(ctx.db, ctx.clock);
    const init = await initOrg(ctx.db, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('bench org already existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    for (const name of ['dev', 'prod']) {
      const res = await fetch(`${ctx.baseUrl}/repos/acme/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': init.apiKey },
        body: JSON.stringify({ name }),
      });
      if (res.status !== 201) throw new Error(`creating repo ${name}: ${res.status}`);
    }
    const times: number[] = [];
    const verdicts: string[] = [];
    for (let i = 0; i < PIPELINE_RUNS; i++) {
      const dir = fs.mkdtempSync(path.join(dataDir, 'run-'));
      const file = path.join(dir, `bench-app-1.0.${i}.tgz`);
      fs.writeFileSync(file, await npmTarball('bench-app', `1.0.${i}`));
      const env = runnerEnv(dir, {
        'api-url': ctx.baseUrl,
        'api-key': init.apiKey,
        owner: 'acme',
        repo: 'dev',
        files: file,
        destination: 'prod',
        'github-token': '',
        matrix: '',
        'wait-timeout': '60s',
      });
      const run = await timed(process.execPath, [bundle], env);
      times.push(run.ms);
      const verdict = /Gate (passed|failed)/.exec(run.out)?.[1] ?? `exit ${run.code}`;
      verdicts.push(verdict);
    }
    const pipelineMs = median(times);
    const tally = [...new Set(verdicts)]
      .map((v) => `${v} ×${verdicts.filter((x) => x === v).length}`)
      .join(', ');
    console.log(
      `pipeline    start → verdict → promoted, one small npm package on loopback (${advisories} fixture advisories imported):` +
        ` ${pipelineMs.toFixed(0)} ms median of ${PIPELINE_RUNS}, verdict ${tally} (${times.map((t) => t.toFixed(0)).join(', ')} ms)`,
    );
    return { pipelineMs, verdicts };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Measures the bundles: the cold start of each action's and the CLI's (median of 10, as a ratio
 * to bare node's measured in the same run, under this Node and Node 24 when AIRLOCK_NODE24 names
 * it) and
 * the wall time of the pipeline bundle from its start to its verdict (and promotion) for a small
 * npm package against the service on loopback. Prints the figures; never judges them.
 */
export async function benchActions(): Promise<ActionFigures> {
  const cold = await benchColdStarts(process.execPath, `node ${process.versions.node} (this one)`);
  // GitHub runs the actions on the Node that action.yml declares (24): measured too when at hand.
  const node24 = process.env.AIRLOCK_NODE24;
  if (node24 && fs.existsSync(node24)) await benchColdStarts(node24, `${node24} (AIRLOCK_NODE24)`);
  else console.log('cold start under Node 24: set AIRLOCK_NODE24 to its binary to measure it too');
  const pipeline = await benchPipeline();
  return { ...cold, ...pipeline };
}
