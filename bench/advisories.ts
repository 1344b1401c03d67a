import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { importAdvisories } from '../src/server/scan/advisories/import.js';
import { parseOsvAdvisory } from '../src/server/scan/advisories/osv.js';
import { readOsvZip } from '../src/server/scan/advisories/sources.js';
import { advisoryIndexSlot, findVulnerabilities, type Component } from '../src/server/scan/match.js';
import { ScanWorkerPool } from '../src/server/scan/worker/pool.js';
import { openDatabase, type Db } from '../src/server/store/db.js';

const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io'] as const;
/** What matching 5,000 real components should take at most. */
const MATCH_AIM_MS = 200;

/** Where the OSV archives live: AIRLOCK_ADVISORY_DATA, else ../shared/advisories from the working directory. */
function dataDir(): string {
  return process.env.AIRLOCK_ADVISORY_DATA ?? path.resolve(process.cwd(), '../shared/advisories');
}

function fileSize(file: string): number {
  return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

/** A full collection, so that heap figures count only what is still held. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * Real components: for each affected package of each advisory, in turn across the archives, a
 * version at one of its range events or in its versions list (Go versions with their leading v).
 */
async function realComponents(root: string, count: number): Promise<Component[]> {
  const perEcosystem: Component[][] = [];
  for (const ecosystem of ECOSYSTEMS) {
    const list: Component[] = [];
    for await (const entry of readOsvZip(path.join(root, ecosystem, 'all.zip'))) {
      const doc = parseOsvAdvisory(entry.text);
      for (const affected of doc.affected ?? []) {
        if (!affected.package) continue;
        const versions = [
          ...(affected.ranges ?? [])
            .filter((r) => r.type !== 'GIT')
            .flatMap((r) => r.events.flatMap((e) => Object.values(e) as string[])),
          ...(affected.versions ?? []),
        ].filter((v) => v !== '0');
        if (versions.length === 0) continue;
        const version = versions[list.length % versions.length]!;
        list.push({
          ecosystem,
          name: affected.package.name,
          version: ecosystem === 'Go' ? `v${version}` : version,
        });
      }
    }
    perEcosystem.push(list);
  }
  const out: Component[] = [];
  for (let i = 0; out.length < count && perEcosystem.some((l) => i < l.length); i++) {
    for (const list of perEcosystem) if (i < list.length && out.length < count) out.push(list[i]!);
  }
  return out;
}

/**
 * Imports the four OSV archives into a fresh SQLite database (time, database size), imports them
 * again (the incremental path), then matches 5,000 real components twice (components per
 * second): the first match fills the process's advisory index, the second uses it. Prints the
 * index's size and the heap it holds; never passes or fails on time.
 */
export async function runAdvisoriesBench(log: (line: string) => void = console.log): Promise<void> {
  const root = dataDir();
  const missing = ECOSYSTEMS.filter((e) => !fs.existsSync(path.join(root, e, 'all.zip')));
  if (missing.length > 0) {
    log(
      `advisories: no full OSV archives for ${missing.join(', ')} in ${root} (set AIRLOCK_ADVISORY_DATA to a folder of <ecosystem>/all.zip): import and matching not measured`,
    );
    return;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-advisories-'));
  const file = path.join(work, 'airlock.db');
  const db = await openDatabase({ kind: 'sqlite', file });
  try {
    log('advisories: import of the OSV archives into a fresh SQLite database');
    let total = 0;
    let documents = 0;
    for (const ecosystem of ECOSYSTEMS) {
      const result = await importAdvisories(db, path.join(root, ecosystem, 'all.zip'));
      total += result.durationMs;
      documents += result.documents;
      log(
        `  ${ecosystem.padEnd(10)} ${String(result.documents).padStart(5)} advisories  ${secs(result.durationMs).padStart(8)}` +
          `  (${Math.round(result.documents / (result.durationMs / 1000))} advisories/s)`,
      );
    }
    log(`  all four   ${String(documents).padStart(5)} advisories  ${secs(total).padStart(8)}`);
    log(`  database size: ${mib(fileSize(file) + fileSize(`${file}-wal`))} (file + WAL)`);

    let again = 0;
    for (const ecosystem of ECOSYSTEMS) {
      again += (await importAdvisories(db, path.join(root, ecosystem, 'all.zip'))).durationMs;
    }
    log(`  re-import, everything unchanged: ${secs(again)}`);

    const components = await realComponents(root, 5000);
    const counts = ECOSYSTEMS.map((e) => `${e} ${components.filter((c) => c.ecosystem === e).length}`).join(
      ', ',
    );
    log(
      `advisories: matching ${components.length} real components (${counts}) from the full archives in ${root}; aim < ${secs(MATCH_AIM_MS)}`,
    );
    const gc = collector();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const run of ['first run (reads and compiles the index)', 'second run (the index built)']) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const results = await findVulnerabilities(db, components);
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      const matches = results.reduce((n, r) => n + r.vulnerabilities.length, 0);
      const affected = results.filter((r) => r.vulnerabilities.length > 0).length;
      log(
        `  ${run}: ${secs(ms)} = ${(ms / MATCH_AIM_MS).toFixed(2)}× the aim (CPU ${secs(cpuMs)}),` +
          ` ${Math.round(components.length / (ms / 1000))} components/s (${affected} affected components, ${matches} matches)`,
      );
    }
    gc();
    const size = advisoryIndexSlot(db).size();
    log(
      `  advisory index: ${size?.packages ?? 0} packages, ${size?.entries ?? 0} entries of ${size?.advisories ?? 0} advisories,` +
        ` ${mib(process.memoryUsage().heapUsed - heapBefore)} of heap`,
    );
    await benchWorkerMatching(db, work, components, log);
  } finally {
    await db.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const PURL_TYPES: Record<string, string> = { npm: 'npm', PyPI: 'pypi', Go: 'golang', 'crates.io': 'cargo' };

/** A CycloneDX SBOM naming the components by package URL: one artifact that holds all four ecosystems. */
function sbomOf(components: readonly Component[]): string {
  const purl = (c: Component): string =>
    `pkg:${PURL_TYPES[c.ecosystem]}/${c.name.split('/').map(encodeURIComponent).join('/')}@${encodeURIComponent(c.version)}`;
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    components: components.map((c) => ({ type: 'library', name: c.name, version: c.version, purl: purl(c) })),
  });
}

/**
 * The same components scanned as one SBOM in a pooled scan worker process, three times in one
 * worker: the first scan pays the worker's start-up once (Node, the modules, reading and
 * compiling the advisory index), the later ones match in a warm worker. Prints the match time the
 * worker reports (as a ratio to the aim), the whole scan's wall time and the worker's CPU time.
 */
async function benchWorkerMatching(
  db: Db,
  work: string,
  components: readonly Component[],
  log: (line: string) => void,
): Promise<void> {
  const file = path.join(work, 'bom.cdx.json');
  fs.writeFileSync(file, sbomOf(components));
  const pool = new ScanWorkerPool(db, {
    size: 1,
    heapMb: 512,
    timeoutSeconds: 600,
    maxScans: 1000,
    recycleRssMb: 4096,
  });
  try {
    log(
      `advisories: the same ${components.length} components as one SBOM, scanned in a pooled worker process`,
    );
    const labels = [
      'worker start-up, once per worker (first scan: starts Node, reads and compiles the index)',
      'match in a warm worker',
      'match in a warm worker, again',
    ];
    for (const label of labels) {
      const before = pool.stats();
      const started = performance.now();
      const result = await pool.analyse({ path: file, filename: 'bom.cdx.json', format: 'raw' });
      const ms = performance.now() - started;
      const after = pool.stats();
      if (result.status !== 'ok') throw new Error(`the worker's scan ${result.status}: ${result.reason}`);
      const matchMs = after.matchMs - before.matchMs;
      log(
        `  ${label}: match ${secs(matchMs)} = ${(matchMs / MATCH_AIM_MS).toFixed(2)}× the aim;` +
          ` whole scan ${secs(ms)}, worker CPU ${secs(after.workerCpuMs - before.workerCpuMs)}` +
          ` (${result.numComponents} components, ${after.lookups - before.lookups} advisory look-ups)`,
      );
    }
  } finally {
    await pool.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAdvisoriesBench();
}
