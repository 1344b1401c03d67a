import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  startAirlock,
  startDevpi,
  startNullUpload,
  startPypiserver,
  type IndexServer,
  type IndexUrls,
} from './pypi-indexes.js';
import { CLIENTS, median, runTool, timed } from './pypi-tools.js';
import { realWheels, REQUIREMENTS, type WheelSet } from './pypi-wheels.js';
import { durabilityFloorMs, floorLine } from './durability-floor.js';
import { perOperation, readStoreCounts, type StoreCounts } from './store-counts.js';

const INSTALL_ROUNDS = 5;
const UPLOAD_ROUNDS = 5;
const UPLOAD_FILES = 20;
const PAGE_PROJECT = 'requests';
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
/**
 * What pip (26) sends for a project page: its Accept (PEP 691 JSON first, HTML as a fallback)
 * and the Accept-Encoding of its HTTP library. Each index answers it in the form it prefers.
 */
const PIP_PAGE_HEADERS = {
  Accept: `${SIMPLE_JSON}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01`,
  'Accept-Encoding': 'gzip, deflate',
};

interface CannonResult {
  requests: { average: number };
  non2xx: number;
  errors: number;
}
// autocannon ships no types; this is the part of its programmatic API the benchmark uses.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
}) => Promise<CannonResult>;

/**
 * One measured figure of every server: seconds (lower is better) or requests/s (higher is
 * better), null where a server was not measured, and for times the floor (the client's own time).
 */
export interface PypiFigure {
  what: string;
  unit: 's' | 'req/s';
  values: Record<string, number | null>;
  floor?: number;
  /** Airlock's speed ÷ the faster peer's (above 1: Airlock is faster); null without a peer. */
  ratio: number | null;
  /** The same ratio of the time above the floor. */
  ratioAboveFloor?: number | null;
}

const ZERO_COUNTS: StoreCounts = {
  statements: 0,
  syncedCommits: 0,
  groupCommits: 0,
  logSyncs: 0,
  blobSyncs: 0,
};

/** Store counters summed over several measured spans. */
class CountSum {
  total: StoreCounts = { ...ZERO_COUNTS };
  rounds = 0;

  add(before: StoreCounts, after: StoreCounts): void {
    for (const k of Object.keys(this.total) as (keyof StoreCounts)[]) this.total[k] += after[k] - before[k];
    this.rounds++;
  }
}

function check(what: string, ran: { code: number; out: string }): void {
  if (ran.code !== 0) throw new Error(`${what} failed:\n${ran.out.trim().split('\n').slice(-8).join('\n')}`);
}

async function twineUpload(url: string, user: string, password: string, files: string[]): Promise<void> {
  const args = [
    'upload',
    '--non-interactive',
    '--disable-progress-bar',
    '--repository-url',
    url,
    '-u',
    user,
    '-p',
    password,
  ];
  check(`twine upload to ${url}`, await runTool(path.join(CLIENTS, 'twine'), [...args, ...files]));
}

/** pip installs the pinned list into a fresh venv (made before the clock starts); seconds. */
async function pipInstall(work: string, source: string[]): Promise<number> {
  const venv = fs.mkdtempSync(path.join(work, 'venv-'));
  check('python3 -m venv', await runTool('python3', ['-m', 'venv', '--without-pip', venv]));
  const args = [
    '--python',
    path.join(venv, 'bin', 'python'),
    'install',
    '--no-cache-dir',
    '--quiet',
    ...source,
  ];
  let ran = { code: 0, out: '' };
  const seconds = await timed(async () => {
    ran = await runTool(path.join(CLIENTS, 'pip'), [...args, '--requirement', REQUIREMENTS]);
  });
  check('pip install', ran);
  fs.rmSync(venv, { recursive: true, force: true });
  return seconds;
}

async function requestRate(url: string, headers: Record<string, string>, seconds: number): Promise<number> {
  // A first, uncounted second lets the JIT and every cache settle (the first seconds ran at a
  // fraction of the steady rate).
  await autocannon({ url, connections: 10, duration: 1, headers });
  const result = await autocannon({ url, connections: 10, duration: seconds, headers });
  if (result.non2xx > 0 || result.errors > 0) {
    console.log(`pypi:   (${url}: ${result.non2xx} answers not 2xx, ${result.errors} errors or timeouts)`);
  }
  return result.requests.average;
}

async function startPeers(work: string): Promise<IndexServer[]> {
  const servers: IndexServer[] = [];
  for (const start of [startPypiserver, startDevpi]) {
    try {
      servers.push(await start(work));
    } catch (err) {
      console.log(`pypi: left out a peer: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return servers;
}

/** Prints a figure and Airlock's ratio to the faster peer, as soon as it is measured. */
function printFigure(figure: Omit<PypiFigure, 'ratio' | 'ratioAboveFloor'>): PypiFigure {
  const shown = (v: number | null) =>
    v === null ? 'n/a' : `${v.toFixed(figure.unit === 's' ? 2 : 0)} ${figure.unit}`;
  const speed = (v: number) => (figure.unit === 's' ? 1 / v : v);
  const [airlock, ...peers] = Object.entries(figure.values);
  const measured = peers.filter((p): p is [string, number] => p[1] !== null);
  const best = measured.sort((a, b) => speed(b[1]) - speed(a[1]))[0];
  const result: PypiFigure = { ...figure, ratio: null };
  let line =
    `pypi: ${figure.what}: ` +
    Object.entries(figure.values)
      .map(([name, v]) => `${name} ${shown(v)}`)
      .join(', ');
  if (figure.floor !== undefined) {
    const floor = figure.floor;
    line += `; floor ${shown(floor)}`;
    const above = Object.entries(figure.values)
      .filter((entry): entry is [string, number] => entry[1] !== null)
      .map(([name, v]) => `${name} ${(v - floor).toFixed(2)} s`);
    line += `\npypi:   above the floor: ${above.join(', ')}`;
  }
  if (best && airlock?.[1]) {
    result.ratio = speed(airlock[1]) / speed(best[1]);
    line += `\npypi:   Airlock ÷ ${best[0]} (the faster peer): ${result.ratio.toFixed(2)}×`;
    if (figure.floor !== undefined && Math.min(best[1], airlock[1]) > figure.floor) {
      result.ratioAboveFloor = (best[1] - figure.floor) / (airlock[1] - figure.floor);
      line += `, ${result.ratioAboveFloor.toFixed(2)}× of the time above the floor`;
    } else if (figure.floor !== undefined) {
      line += ' (a time at or below the floor: the run was too noisy to read the time above it)';
    }
  }
  console.log(line);
  return result;
}

function byServer(
  servers: IndexServer[],
  value: (s: IndexServer) => number | null,
): Record<string, number | null> {
  return Object.fromEntries(servers.map((s) => [s.name, value(s)]));
}

/** The servers in another order each round, so that no server always runs right after the same one. */
function rotated<T>(items: T[], round: number): T[] {
  const at = round % items.length;
  return [...items.slice(at), ...items.slice(0, at)];
}

/**
 * Airlock's Python index beside pypiserver and devpi-server on loopback, in the same run: pip
 * installs of 30 real projects' wheels into fresh venvs from each warm index (median of 5, and a
 * floor: pip installing the same wheels from a local folder), twine uploads of 20 of them into a
 * fresh index (median of 3, and a floor: a server that answers 200 at once), and requests/s of a
 * project page in both forms. Prints each figure and Airlock's ratio to the faster peer.
 */
export async function benchPypi(): Promise<PypiFigure[] | null> {
  const wheels: WheelSet | { missing: string } = await realWheels();
  if ('missing' in wheels) {
    console.log(`pypi: skipped, the real wheels are not at hand: ${wheels.missing}`);
    return null;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-pypi-'));
  const servers: IndexServer[] = [];
  const nullUpload = await startNullUpload();
  const seconds = Number(process.env.BENCH_PYPI_SECONDS ?? 5);
  const figures: PypiFigure[] = [];
  try {
    servers.push(await startAirlock(work), ...(await startPeers(work)));
    console.log(`pypi: ${servers.map((s) => s.name).join(', ')} on loopback; wheels from ${wheels.dir}`);
    const files = wheels.files.map((f) => path.join(wheels.dir, f));
    const toUpload = files.slice(0, UPLOAD_FILES);

    const uploadCost = new CountSum();
    const uploads = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    const uploadFloor: number[] = [];
    const indexes = new Map<string, IndexUrls>();
    for (let round = 0; round < UPLOAD_ROUNDS; round++) {
      uploadFloor.push(await timed(() => twineUpload(nullUpload.url, 'x', 'x', toUpload)));
      for (const server of rotated(servers, round)) {
        const index = await server.newIndex(`up${round}`);
        const before = server.metricsBase ? await readStoreCounts(server.metricsBase) : null;
        const took = await timed(() =>
          twineUpload(index.uploadUrl, index.username, index.password, toUpload),
        );
        uploads.get(server.name)!.push(took);
        // Summed over the upload rounds only: the scans awaited between them are left out.
        if (before && server.metricsBase) uploadCost.add(before, await readStoreCounts(server.metricsBase));
        await index.settle();
        indexes.set(server.name, index);
      }
    }
    figures.push(
      printFigure({
        what: `twine upload of ${UPLOAD_FILES} wheels to a fresh index, median of ${UPLOAD_ROUNDS} (floor: a server that answers 200 at once)`,
        unit: 's',
        values: byServer(servers, (s) => median(uploads.get(s.name)!)),
        floor: median(uploadFloor),
      }),
    );
    console.log(
      floorLine(
        'pypi:   twine upload',
        durabilityFloorMs(work),
        byServer(servers, (s) => median(uploads.get(s.name)!) * (1000 / UPLOAD_FILES)),
        median(uploadFloor) * (1000 / UPLOAD_FILES),
      ),
    );
    if (uploadCost.rounds > 0)
      console.log(
        `    Airlock per upload: ${perOperation(ZERO_COUNTS, uploadCost.total, uploadCost.rounds * UPLOAD_FILES)}`,
      );

    for (const server of servers) {
      const index = indexes.get(server.name)!;
      await twineUpload(index.uploadUrl, index.username, index.password, files.slice(UPLOAD_FILES));
      await index.settle();
      await pipInstall(work, ['--index-url', index.indexUrl]); // warms the index and the disk cache
    }
    const installs = new Map<string, number[]>(servers.map((s) => [s.name, []]));
    const installFloor: number[] = [];
    for (let round = 0; round < INSTALL_ROUNDS; round++) {
      installFloor.push(await pipInstall(work, ['--no-index', '--find-links', wheels.dir]));
      for (const server of rotated(servers, round)) {
        installs
          .get(server.name)!
          .push(await pipInstall(work, ['--index-url', indexes.get(server.name)!.indexUrl]));
      }
    }
    figures.push(
      printFigure({
        what: `pip install of ${files.length} wheels into a fresh venv, median of ${INSTALL_ROUNDS} (floor: pip from a local folder)`,
        unit: 's',
        values: byServer(servers, (s) => median(installs.get(s.name)!)),
        floor: median(installFloor),
      }),
    );

    for (const [form, asked, jsonOnly] of [
      ['HTML (PEP 503)', {}, false],
      ['JSON (PEP 691)', { Accept: SIMPLE_JSON }, true],
      ["pip's request (its Accept and Accept-Encoding: gzip)", PIP_PAGE_HEADERS, false],
    ] as const) {
      const rates = new Map<string, number | null>();
      for (const server of servers) {
        const index = indexes.get(server.name)!;
        const headers = { ...index.headers, ...asked };
        const served = !jsonOnly || server.servesJson;
        rates.set(
          server.name,
          served ? await requestRate(index.pageUrl(PAGE_PROJECT), headers, seconds) : null,
        );
      }
      figures.push(
        printFigure({
          what: `requests/s of the page of '${PAGE_PROJECT}' as ${form}, 10 connections, ${seconds} s each`,
          unit: 'req/s',
          values: byServer(servers, (s) => rates.get(s.name) ?? null),
        }),
      );
    }
    if (servers.some((s) => !s.servesJson)) {
      console.log('pypi: pypiserver serves no PEP 691 JSON (HTML to any Accept): its JSON figure is n/a');
    }
    return figures;
  } finally {
    for (const server of servers) await server.stop();
    await nullUpload.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
