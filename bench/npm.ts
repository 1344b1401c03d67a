import { initService } from '../test/helpers/service-process.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  publishAll,
  realPackages,
  realPublishBody,
  REAL_ROOT,
  renamedPackage,
  type RealPackage,
} from '../test/helpers/real-npm-packages.js';
import { startVerdaccio, verdaccioBinary } from '../test/helpers/verdaccio.js';
import { durabilityFloorMs, floorLine } from './durability-floor.js';
import { startDiscardingRegistry, startStaticRegistry } from './npm-floors.js';
import { perOperation, readStoreCounts } from './store-counts.js';

const INSTALL_ROUNDS = 5;
const PUBLISHES = 20;
/** Rounds of publishes timed after the first, each under fresh names. */
const PUBLISH_ROUNDS = 5;
const CANNON_SECONDS = Number(process.env.AIRLOCK_BENCH_SECONDS ?? 3);
const CANNON_ROUNDS = 3;
const CANNON_CONNECTIONS = 10;
const ABBREVIATED = 'application/vnd.npm.install-v1+json';

/** What autocannon's programmatic API takes and answers (the package ships no types). */
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Cannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<CannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

// This file runs as lib/bench/npm.js.
const BIN = fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));

/** An `airlock-server serve` process of its own, as Verdaccio runs in its own. */
interface AirlockProcess {
  url: string;
  key: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `init` then `serve` on SQLite and files in `dataDir` (the embedded default), with loopback
 * upstreams allowed, no advisory sync (the bench runs offline) and no per-caller throttling
 * (Verdaccio has none; the figures are of the registry, not of the limiter).
 */
async function startAirlock(dataDir: string): Promise<AirlockProcess> {
  const key = (await initService(dataDir)).api_key;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--outbound-allow',
      '127.0.0.1/32',
      '--advisories-sync-interval',
      '0',
      '--limits-requests-per-hour',
      '0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
  for (const until = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`airlock-server exited: ${stderr}`);
    if (Date.now() > until) throw new Error(`airlock-server did not answer: ${stderr}`);
    const up = await fetch(`${url}/status/check/basic/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    key,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** One figure measured on both registries. */
export interface SideBySide {
  airlock: number;
  verdaccio: number;
  /** Airlock ÷ Verdaccio, oriented so that above 1 means Airlock is better. */
  ratio: number;
}

/** A time measured on both registries and on a floor server that does the least it can. */
export interface AboveFloor extends SideBySide {
  floor: number;
  /** Verdaccio's time above the floor over Airlock's: above 1 means Airlock adds less. */
  aboveRatio: number;
}

/** The npm registry's figures beside Verdaccio's. */
export interface NpmFigures {
  installMs: AboveFloor;
  publishMs: AboveFloor;
  ownPackumentRps: SideBySide;
  proxiedPackumentRps: SideBySide;
  /** The same requests with `Accept-Encoding: gzip`, as the npm client sends it. */
  ownPackumentGzipRps: SideBySide;
  proxiedPackumentGzipRps: SideBySide;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Times (lower is better): the ratio is Verdaccio's time over Airlock's. */
function times(airlock: number, verdaccio: number): SideBySide {
  return { airlock, verdaccio, ratio: verdaccio / airlock };
}

/** Times with a floor: the side-by-side ratio, and the ratio of the times above the floor. */
function floored(airlock: number, verdaccio: number, floor: number): AboveFloor {
  return { ...times(airlock, verdaccio), floor, aboveRatio: (verdaccio - floor) / (airlock - floor) };
}

/** Rates (higher is better): the ratio is Airlock's rate over Verdaccio's. */
function rates(airlock: number, verdaccio: number): SideBySide {
  return { airlock, verdaccio, ratio: airlock / verdaccio };
}

function print(label: string, figure: SideBySide, unit: string): void {
  const f = (n: number) => `${Math.round(n)} ${unit}`;
  console.log(
    `  ${label.padEnd(44)} airlock ${f(figure.airlock).padStart(12)}  verdaccio ${f(figure.verdaccio).padStart(12)}  ×${figure.ratio.toFixed(2)}`,
  );
}

function printFloor(label: string, figure: AboveFloor): void {
  const f = (n: number) => `${Math.round(n)} ms`;
  // A registry at or below the floor is within the run's noise of it: no ratio of the two means anything then.
  const atFloor = figure.airlock <= figure.floor || figure.verdaccio <= figure.floor;
  const ratio = atFloor ? 'n/a (at the floor)' : `×${figure.aboveRatio.toFixed(2)}`;
  console.log(
    `    ${`${label} floor ${f(figure.floor)}; above it:`.padEnd(42)} airlock ${f(figure.airlock - figure.floor).padStart(12)}  verdaccio ${f(figure.verdaccio - figure.floor).padStart(12)}  ${ratio}`,
  );
}

/** The environment of one client run: none of the npm_* variables of the process running the bench. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|NPM_CONFIG_)/i.test(k)) env[k] = v;
  return { ...env, HOME: home, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
}

/** `npm install` of the project in a fresh folder with an empty cache; its wall time in ms. */
async function timedInstall(work: string, registry: string, token: string | null, root: RealPackage) {
  const dir = fs.mkdtempSync(path.join(work, 'install-'));
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'bench', version: '1.0.0', dependencies: { [root.name]: `^${root.version}` } }),
  );
  const auth = token ? `${registry.replace(/^https?:/, '')}:_authToken=${token}\n` : '';
  fs.writeFileSync(path.join(dir, '.npmrc'), `registry=${registry}\n${auth}`);
  const args = ['install', '--no-audit', '--ignore-scripts', '--cache', path.join(dir, '.cache')];
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) =>
    execFile('npm', args, { cwd: dir, env: cleanEnv(dir), timeout: 300_000 }, (err, _out, stderr) =>
      err ? reject(new Error(`npm install from ${registry} failed: ${stderr}`)) : resolve(),
    ),
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(dir, { recursive: true, force: true });
  return ms;
}

async function put(url: string, token: string | null, body: Record<string, unknown>): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { method: 'PUT', headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}

/** Publishes the packages one after another, as `npm publish` would; the total wall time in ms. */
async function timedPublishes(registry: string, token: string | null, pkgs: RealPackage[]): Promise<number> {
  const started = process.hrtime.bigint();
  for (const p of pkgs) {
    const escaped = p.name.startsWith('@') ? `@${encodeURIComponent(p.name.slice(1))}` : p.name;
    await put(`${registry}${escaped}`, token, realPublishBody(p, registry));
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function cannon(url: string, token: string | null, gzip: boolean): Promise<number> {
  const headers: Record<string, string> = { accept: ABBREVIATED };
  if (gzip) headers['accept-encoding'] = 'gzip, deflate';
  if (token) headers.authorization = `Bearer ${token}`;
  const result = await autocannon({
    url,
    connections: CANNON_CONNECTIONS,
    duration: CANNON_SECONDS,
    headers,
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`);
  }
  return result.requests.average;
}

/**
 * Request rates of the same document from both registries, measured in turns (the median of
 * CANNON_ROUNDS each) so that a busy spell of a shared machine weighs on both.
 */
async function alternating(
  airlockUrl: string,
  key: string,
  verdaccioUrl: string,
  gzip = false,
): Promise<SideBySide> {
  const a: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < CANNON_ROUNDS; i++) {
    a.push(await cannon(airlockUrl, key, gzip));
    v.push(await cannon(verdaccioUrl, null, gzip));
  }
  return rates(median(a), median(v));
}

const AWAITING = ['Awaiting Security Scan', 'Security Scanning in Progress'];

/** Waits (up to two minutes) until no package of the repositories awaits its scan. */
async function scansSettled(airlock: AirlockProcess, repos: string[]): Promise<void> {
  for (const until = Date.now() + 120_000; Date.now() < until;) {
    let waiting = 0;
    for (const repo of repos) {
      const res = await fetch(`${airlock.url}/packages/acme/${repo}/?page_size=100`, {
        headers: { 'x-api-key': airlock.key },
      });
      const list = (await res.json()) as { security_scan_status?: string }[];
      waiting += list.filter((p) => AWAITING.includes(p.security_scan_status ?? '')).length;
    }
    if (waiting === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log('  (scans still running after two minutes; the rates below include them)');
}

/**
 * Each registry's time per publish over the durability floor measured now on the disk under
 * `dir` (what a publish that answers only once durable cannot skip; Verdaccio syncs nothing).
 */
function printPublishFloor(dir: string, airlockMs: number, verdaccioMs: number): void {
  const each = (ms: number) => ms / PUBLISHES;
  const line = floorLine('    publish', durabilityFloorMs(dir), {
    Airlock: each(airlockMs),
    Verdaccio: each(verdaccioMs),
  });
  console.log(line);
}

/**
 * Airlock's npm registry beside Verdaccio 6.8, both on loopback in the same run, both with the
 * real 48-package tree of fastify (packed from node_modules):
 * - `npm install` of a project depending on it, through a proxy with a warm cache (Airlock's
 *   npm upstream and a Verdaccio uplink, both in front of the same origin Verdaccio) and an
 *   empty client cache, median of five;
 * - 20 publishes of real packages, one after another, into each registry's own storage, then
 *   five rounds of the same packages renamed (fresh names each round), the registries in turns;
 *   the median of those rounds is the figure, and the first round is printed beside it;
 * - abbreviated packument requests/s (autocannon, 10 connections, median of three turns) of a
 *   package each holds itself, and of one each proxies.
 * Installs and rates are measured once Airlock's scans of what was published and cached are done.
 * Prints every figure and the ratio (above 1: Airlock is ahead); never fails on them.
 */
export async function benchNpm(): Promise<NpmFigures | null> {
  if (!fs.existsSync(verdaccioBinary())) {
    console.log(
      `npm: skipped, Verdaccio 6.8 is not at ${verdaccioBinary()} (.ci/tools.d/verdaccio.sh installs it)`,
    );
    return null;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-npm-'));
  const opened: { stop(): Promise<void> }[] = [];
  try {
    const airlock = await startAirlock(path.join(work, 'airlock'));
    opened.push(airlock);
    const { key } = airlock;
    const api = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`${airlock.url}${p}`, {
        method,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    };
    const packages = await realPackages();
    const root = packages.find((p) => p.name === REAL_ROOT)!;
    const origin = await startVerdaccio();
    opened.push({ stop: () => origin.close() });
    await api('POST', '/repos/acme/', { name: 'own' });
    await api('POST', '/repos/acme/', { name: 'proxy' });
    await api('POST', '/repos/acme/proxy/upstream/npm/', {
      name: 'origin',
      upstream_url: origin.url,
      mode: 'Cache and Proxy',
    });
    const own = `${airlock.url}/npm/acme/own/`;
    const proxied = `${airlock.url}/npm/acme/proxy/`;
    console.log(`npm: ${packages.length} real packages (${REAL_ROOT} ${root.version} and its tree)`);

    // Publishes into each registry's own storage: the origin takes the same 20 Airlock does, then the rest.
    // Names with one version only, so that the rest publishes in version order afterwards.
    const single = packages.filter(
      (p) => p !== root && packages.filter((q) => q.name === p.name).length === 1,
    );
    const timed = [root, ...single.slice(0, PUBLISHES - 1)];
    const discarding = await startDiscardingRegistry();
    opened.push(discarding);
    // The first round publishes the real names (the origin then serves the installs below); the
    // rounds timed after it publish the same packages renamed, fresh names each round, in turns.
    const firstFloor = await timedPublishes(discarding.url, null, timed);
    const firstVerdaccio = await timedPublishes(`${origin.url}/`, null, timed);
    const countsBefore = await readStoreCounts(airlock.url);
    const firstAirlock = await timedPublishes(own, key, timed);
    const publishCost = perOperation(countsBefore, await readStoreCounts(airlock.url), timed.length);
    const firstPublishMs = floored(firstAirlock, firstVerdaccio, firstFloor);
    const floorRounds: number[] = [];
    const verdaccioRounds: number[] = [];
    const airlockRounds: number[] = [];
    for (let round = 1; round <= PUBLISH_ROUNDS; round++) {
      const fresh = (side: string) => Promise.all(timed.map((p) => renamedPackage(p, `${side}${round}`)));
      floorRounds.push(await timedPublishes(discarding.url, null, await fresh('f')));
      verdaccioRounds.push(await timedPublishes(`${origin.url}/`, null, await fresh('v')));
      airlockRounds.push(await timedPublishes(own, key, await fresh('a')));
    }
    const airlockPublish = median(airlockRounds);
    const verdaccioPublish = median(verdaccioRounds);
    const publishMs = floored(airlockPublish, verdaccioPublish, median(floorRounds));
    await publishAll(
      packages.filter((p) => !timed.includes(p)),
      origin.url,
      (name, body) => origin.put(name, body),
    );

    const proxy = await startVerdaccio({ uplink: origin.url });
    opened.push({ stop: () => proxy.close() });
    // Warm both proxies' caches: every packument and tarball is fetched once from the origin.
    await timedInstall(work, `${proxy.url}/`, null, root);
    await timedInstall(work, proxied, key, root);
    // The warm-up install cached 48 tarballs, each a package Airlock now scans in the background:
    // the timed installs start once those scans are done, as a warm proxy's installs would.
    await scansSettled(airlock, ['own', 'proxy']);
    const staticRegistry = await startStaticRegistry(packages);
    opened.push(staticRegistry);
    const airlockInstalls: number[] = [];
    const verdaccioInstalls: number[] = [];
    const floorInstalls: number[] = [];
    for (let i = 0; i < INSTALL_ROUNDS; i++) {
      floorInstalls.push(await timedInstall(work, staticRegistry.url, null, root));
      verdaccioInstalls.push(await timedInstall(work, `${proxy.url}/`, null, root));
      airlockInstalls.push(await timedInstall(work, proxied, key, root));
    }
    const installMs = floored(median(airlockInstalls), median(verdaccioInstalls), median(floorInstalls));

    const ownPackumentRps = await alternating(`${own}${REAL_ROOT}`, key, `${origin.url}/${REAL_ROOT}`);
    const proxiedPackumentRps = await alternating(`${proxied}${REAL_ROOT}`, key, `${proxy.url}/${REAL_ROOT}`);
    const ownPackumentGzipRps = await alternating(
      `${own}${REAL_ROOT}`,
      key,
      `${origin.url}/${REAL_ROOT}`,
      true,
    );
    const proxiedPackumentGzipRps = await alternating(
      `${proxied}${REAL_ROOT}`,
      key,
      `${proxy.url}/${REAL_ROOT}`,
      true,
    );

    print(`npm install, warm proxy, cold client (median of ${INSTALL_ROUNDS})`, installMs, 'ms');
    printFloor('static', installMs);
    print(`publish of ${PUBLISHES} real packages, one after another, first round`, firstPublishMs, 'ms');
    printFloor('201 at once', firstPublishMs);
    print(`  the same renamed, median of ${PUBLISH_ROUNDS} later rounds`, publishMs, 'ms');
    printFloor('201 at once', publishMs);
    console.log(`    per publish: ${publishCost}`);
    printPublishFloor(work, airlockPublish, verdaccioPublish);
    print(`abbreviated packument, own package`, ownPackumentRps, 'req/s');
    print(`abbreviated packument, proxied package`, proxiedPackumentRps, 'req/s');
    print(`  the same, Accept-Encoding: gzip (own)`, ownPackumentGzipRps, 'req/s');
    print(`  the same, Accept-Encoding: gzip (proxied)`, proxiedPackumentGzipRps, 'req/s');
    console.log(
      '  (×: Airlock ÷ Verdaccio for rates, Verdaccio ÷ Airlock for times; above 1 = Airlock ahead)',
    );
    return {
      installMs,
      publishMs,
      ownPackumentRps,
      proxiedPackumentRps,
      ownPackumentGzipRps,
      proxiedPackumentGzipRps,
    };
  } finally {
    for (const p of opened.reverse()) await p.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
