import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { ScanWorkerPool, type ScanPoolOptions } from '../../../src/server/scan/worker/pool.js';
import { scanWorkerCount } from '../../../src/server/scan/worker/run-in-worker.js';
import { parseConfig } from '../../../src/server/config.js';
import { migrateToLatest, type Db } from '../../../src/server/store/db.js';
import { startTestServer, tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';
import { createRepo, uploadPackage } from '../../helpers/upload.js';
import { makeTar } from '../../fixtures/packages/archives.js';

const STAND_IN = fileURLToPath(new URL('../../fixtures/scan/stand-in-worker.mjs', import.meta.url));
const PARENT = fileURLToPath(new URL('../../fixtures/scan/pool-parent.mjs', import.meta.url));

/** A package-lock.json naming `deps` (name → version). */
function lockfile(deps: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (const [name, version] of Object.entries(deps)) packages[`node_modules/${name}`] = { version };
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, packages });
}

/** `count` made-up dependencies at 1.0.0. */
function manyDeps(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`dep-${i}`, '1.0.0']));
}

/** True while a process of that id runs (a zombie waiting for its parent to reap it counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** Waits (at most 20 s) for a process to end; true when it did. */
async function ended(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && running(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !running(pid);
}

/** A folder with one OSV advisory against `name` below 2.0.0. */
function advisoryDir(id: string, name: string): string {
  const dir = tempDir('airlock-osv-');
  const advisory = {
    id,
    modified: '2026-11-01T00:00:00Z',
    summary: `test advisory against ${name}`,
    affected: [
      {
        package: { ecosystem: 'npm', name },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
      },
    ],
    database_specific: { severity: 'HIGH' },
  };
  fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(advisory));
  return dir;
}

describe('the scan worker pool', () => {
  let dir: string;
  let db: Db;
  const pools: ScanWorkerPool[] = [];
  const poolOf = (options: Partial<ScanPoolOptions> = {}): ScanWorkerPool => {
    const pool = new ScanWorkerPool(db, {
      size: 1,
      heapMb: 256,
      timeoutSeconds: 120,
      maxScans: 1000,
      recycleRssMb: 1024,
      ...options,
    });
    pools.push(pool);
    return pool;
  };
  const write = (name: string, text: string): { path: string; filename: string; format: string } => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return { path: file, filename: name, format: 'raw' };
  };

  beforeAll(async () => {
    dir = tempDir('airlock-pool-');
    db = await openTestDatabase(path.join(dir, 'airlock.db'));
    await migrateToLatest(db);
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs scans one after another in one worker that keeps its advisory index, and rebuilds it when the advisories change', async () => {
    const first = advisoryDir('TEST-2026-0101', 'dep-1');
    await importAdvisories(db, first);
    fs.rmSync(first, { recursive: true, force: true });
    const pool = poolOf();
    const input = write('package-lock.json', lockfile({ ...manyDeps(3), 'other-dep': '1.0.0' }));

    const one = await pool.analyse(input);
    expect(one).toMatchObject({ status: 'ok', numComponents: 4 });
    expect(one.status === 'ok' && one.scans[0]!.results.map((r) => r.vulnerability_id)).toEqual([
      'TEST-2026-0101',
    ]);
    const [pid] = pool.stats().pids;
    expect(pool.stats()).toMatchObject({ started: 1, scans: 1, lookups: 1 });

    // The same names again: answered from the worker's index, with no look-up.
    const two = await pool.analyse(input);
    expect(two).toEqual(one);
    expect(pool.stats()).toMatchObject({ started: 1, scans: 2, lookups: 1, pids: [pid] });

    // A new advisory moves the generation: the same warm worker reads the names again.
    const second = advisoryDir('TEST-2026-0102', 'other-dep');
    await importAdvisories(db, second);
    fs.rmSync(second, { recursive: true, force: true });
    const three = await pool.analyse(input);
    expect(three.status === 'ok' && three.scans[0]!.results.map((r) => r.vulnerability_id).sort()).toEqual([
      'TEST-2026-0101',
      'TEST-2026-0102',
    ]);
    expect(pool.stats()).toMatchObject({ started: 1, scans: 3, lookups: 2, pids: [pid] });
  });

  it('fails a scan that runs out of its memory allowance, and runs the next one in a fresh worker', async () => {
    const pool = poolOf({ heapMb: 16 });
    const small = write('small-lock.json', lockfile(manyDeps(3)));
    expect(await pool.analyse(small)).toMatchObject({ status: 'ok', numComponents: 3 });
    const [before] = pool.stats().pids;

    const huge = write('package-lock.json', lockfile(manyDeps(400_000)));
    expect(await pool.analyse(huge)).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/memory allowance \(16 MiB\)/),
    });
    expect(await ended(before!)).toBe(true);

    expect(await pool.analyse(small)).toMatchObject({ status: 'ok', numComponents: 3 });
    expect(pool.stats()).toMatchObject({ started: 2, lost: 1 });
    expect(pool.stats().pids).not.toContain(before);
  });

  it('fails a scan whose worker is killed, naming how it ended, and replaces the worker', async () => {
    const pool = poolOf();
    const huge = write('package-lock.json', lockfile(manyDeps(300_000)));
    const scan = pool.analyse(huge);
    while (pool.stats().pids.length === 0) await new Promise((r) => setTimeout(r, 10));
    const [pid] = pool.stats().pids;
    process.kill(pid!, 'SIGKILL');
    expect(await scan).toEqual({
      status: 'failed',
      reason: "the scan stopped unexpectedly (signal SIGKILL); the artifact's components were not evaluated.",
    });
    const small = write('small-lock.json', lockfile(manyDeps(2)));
    expect(await pool.analyse(small)).toMatchObject({ status: 'ok', numComponents: 2 });
    expect(pool.stats().pids).not.toContain(pid);
  });

  it('stops a worker that overruns the time limit or crashes, with the reason, and the next scan gets a fresh one', async () => {
    const pool = poolOf({ entry: STAND_IN, timeoutSeconds: 1 });
    expect(await pool.analyse(write('fine.json', '{}'))).toMatchObject({ status: 'ok' });
    const [first] = pool.stats().pids;

    expect(await pool.analyse(write('hang.json', '{}'))).toEqual({
      status: 'failed',
      reason:
        "the scan took longer than its time limit (1 s) and was stopped; the artifact's components were not evaluated.",
    });
    expect(await ended(first!)).toBe(true);
    expect(await pool.analyse(write('fine.json', '{}'))).toMatchObject({ status: 'ok' });
    const [second] = pool.stats().pids;
    expect(second).not.toBe(first);

    expect(await pool.analyse(write('crash.json', '{}'))).toEqual({
      status: 'failed',
      reason: "the scan stopped unexpectedly (exit code 3); the artifact's components were not evaluated.",
    });
    expect(await pool.analyse(write('fine.json', '{}'))).toMatchObject({ status: 'ok' });
    expect(pool.stats()).toMatchObject({ started: 3, lost: 2, scans: 5 });
  });

  it('replaces a worker after its number of scans, and one that has grown past its memory bound', async () => {
    const input = write('fine.json', '{}');
    const counted = poolOf({ entry: STAND_IN, maxScans: 2 });
    for (let i = 0; i < 5; i++) await counted.analyse(input);
    // Scans 1–2 in the first worker, 3–4 in the second, 5 in a third.
    expect(counted.stats()).toMatchObject({ started: 3, recycled: 2, lost: 0 });

    // Any Node process is resident above 1 MiB: every scan's worker is replaced after it.
    const grown = poolOf({ entry: STAND_IN, recycleRssMb: 1 });
    await grown.analyse(input);
    await grown.analyse(input);
    expect(grown.stats()).toMatchObject({ started: 2, recycled: 2, lost: 0 });
  });

  it('stops a worker that has waited its idle time for a scan, and starts one for the next scan', async () => {
    const pool = poolOf({ entry: STAND_IN, idleSeconds: 1 });
    const input = write('fine.json', '{}');
    await pool.analyse(input);
    const [pid] = pool.stats().pids;
    expect(await ended(pid!)).toBe(true);
    expect(await pool.analyse(input)).toMatchObject({ status: 'ok' });
    expect(pool.stats().pids).not.toContain(pid);
    expect(pool.stats()).toMatchObject({ started: 2, lost: 0, recycled: 0 });
  });

  it('runs as many scans at once as it has workers, and queues the rest', async () => {
    const pool = poolOf({ entry: STAND_IN, size: 2, timeoutSeconds: 2 });
    const results = await Promise.all([
      pool.analyse(write('hang.json', '{}')),
      pool.analyse(write('hang.json', '{}')),
      pool.analyse(write('fine.json', '{}')),
    ]);
    // Two hung at once, each in a worker of its own; the third waited for a free one.
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'ok']);
    expect(pool.stats()).toMatchObject({ started: 3, lost: 2 });
  });

  it('stops every worker when it stops, and refuses scans after that', async () => {
    const pool = poolOf({ size: 2 });
    const small = write('small-lock.json', lockfile(manyDeps(2)));
    await Promise.all([pool.analyse(small), pool.analyse(small)]);
    const pids = pool.stats().pids;
    expect(pids).toHaveLength(2);
    await pool.stop();
    for (const pid of pids) expect(running(pid)).toBe(false);
    expect(pool.stats().pids).toEqual([]);
    await expect(pool.analyse(small)).rejects.toThrow(/the service is stopping/);
  });

  it('leaves no worker behind when the process holding the pool is killed', async () => {
    const child = spawn(process.execPath, [PARENT, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('close', r));
    const line = await new Promise<string>((resolve) =>
      readline.createInterface({ input: child.stdout! }).once('line', resolve),
    );
    const { worker, status } = JSON.parse(line) as { worker: number; status: string };
    expect(status).toBe('ok');
    expect(running(worker)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(await ended(worker)).toBe(true);
  });

  it('sizes itself to one worker per two cores, one to four, unless told', () => {
    const config = (workers: number) => parseConfig({ dataDir: dir, scan: { workers } });
    expect([1, 2, 3, 4, 8, 64].map((cores) => scanWorkerCount(config(0), cores))).toEqual([1, 1, 1, 2, 4, 4]);
    expect(scanWorkerCount(config(3), 2)).toBe(3);
  });
});

describe('a service with scan workers', () => {
  it('scans in a long-lived worker and stops it when the service closes', async () => {
    const server = await startTestServer({ scan: { workers: 1 } });
    const pool = server.services.tasks.find((t): t is ScanWorkerPool => t instanceof ScanWorkerPool);
    expect(pool).toBeDefined();
    await createRepo(server, 'dev');
    for (const version of ['1.0.0', '1.0.1']) {
      const tarball = await makeTar([
        { name: 'package/package.json', content: JSON.stringify({ name: 'app', version }) },
        { name: 'package/package-lock.json', content: lockfile(manyDeps(2)) },
      ]);
      const res = await uploadPackage<{ slug_perm: string }>(
        server,
        'dev',
        'npm',
        tarball,
        `app-${version}.tgz`,
      );
      expect(res.status).toBe(201);
      await server.services.scan.waitForScan(res.body.slug_perm, 30);
    }
    expect(pool!.stats()).toMatchObject({ started: 1, scans: 2 });
    const [pid] = pool!.stats().pids;
    expect(running(pid!)).toBe(true);
    await server.close();
    expect(running(pid!)).toBe(false);
  });
});
