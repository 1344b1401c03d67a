import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';

/** The repository root: this file runs as lib/bench/actions.js. */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const ACTIONS = ['auth', 'push', 'gate', 'promote', 'pipeline'];
const COLD_RUNS = 10;
const PIPELINE_RUNS = 5;

/** Figures of the actions benchmark. */
export interface ActionFigures {
  /** Median milliseconds from spawning `node dist/<name>/index.js` to its exit, per bundle. */
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
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, out }));
  });
}

/** An npm tarball of `name@version` with a lock file and no dependencies. */
async function npmTarball(name: string, version: string): Promise<Buffer> {
  const pack = tar.pack();
  const manifest = JSON.stringify({ name, version, license: 'MIT' });
  pack.entry({ name: 'package/package.json' }, manifest);
  pack.entry(
    { name: 'package/package-lock.json' },
    JSON.stringify({ name, version, lockfileVersion: 3, packages: { '': { name, version } } }),
  );
  pack.entry({ name: 'package/index.js' }, 'module.exports = 1;\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return zlib.gzipSync(Buffer.concat(chunks));
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

async function benchColdStarts(): Promise<{ coldStartMs: Record<string, number>; bareNodeMs: number }> {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir() };
  const bare: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) bare.push((await timed(['-e', ''], env)).ms);
  const coldStartMs: Record<string, number> = {};
  for (const name of ACTIONS) {
    const bundle = path.join(ROOT, 'dist', name, 'index.js');
    if (!fs.existsSync(bundle)) {
      console.log(`cold start  ${name.padEnd(9)} (no ${path.relative(ROOT, bundle)}: run npm run package)`);
      continue;
    }
    const runs: number[] = [];
    // Without inputs each bundle loads, reads its first input and fails: that is its start-up cost.
    for (let i = 0; i < COLD_RUNS; i++) runs.push((await timed([bundle], env)).ms);
    coldStartMs[name] = median(runs);
    const size = fs.statSync(bundle).size / 1024;
    console.log(
      `cold start  ${name.padEnd(9)} ${coldStartMs[name]!.toFixed(0).padStart(4)} ms median of ${COLD_RUNS}  (${size.toFixed(0)} KiB)`,
    );
  }
  const bareNodeMs = median(bare);
  console.log(`cold start  bare node ${bareNodeMs.toFixed(0).padStart(4)} ms median of ${COLD_RUNS}`);
  return { coldStartMs, bareNodeMs };
}

async function benchPipeline(): Promise<{ pipelineMs: number; verdicts: string[] }> {
  const bundle = path.join(ROOT, 'dist/pipeline/index.js');
  if (!fs.existsSync(bundle)) return { pipelineMs: NaN, verdicts: [] };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-actions-'));
  const config = parseConfig({ dataDir, port: 0, logLevel: 'silent', limits: { requestsPerHour: 0 } });
  const { app, ctx } = await buildApp(config);
  try {
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
      const run = await timed([bundle], env);
      times.push(run.ms);
      const verdict = /Gate (passed|failed)/.exec(run.out)?.[1] ?? `exit ${run.code}`;
      verdicts.push(verdict);
    }
    const pipelineMs = median(times);
    console.log(
      `pipeline    start → verdict → promoted, one small npm package on loopback: ${pipelineMs.toFixed(0)} ms median of ${PIPELINE_RUNS} (${times.map((t) => t.toFixed(0)).join(', ')}; ${verdicts.join(', ')})`,
    );
    return { pipelineMs, verdicts };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Measures the action bundles: the cold start of each (median of 10, next to bare node's) and
 * the wall time of the pipeline bundle from its start to its verdict (and promotion) for a small
 * npm package against the service on loopback. Prints the figures; never judges them.
 */
export async function benchActions(): Promise<ActionFigures> {
  const cold = await benchColdStarts();
  const pipeline = await benchPipeline();
  return { ...cold, ...pipeline };
}
