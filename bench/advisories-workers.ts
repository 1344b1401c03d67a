import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';
import { ScanWorkerPool } from '../src/server/scan/worker/pool.js';
import { importFixtureAdvisories, npmTarball, publishFile } from './advisories-fixtures.js';

const PACKAGES = 20;

/** What scanning the packages cost one service. */
interface BurstFigures {
  wallMs: number;
  /** CPU time of the service process and of its scan workers, in ms. */
  serviceCpuMs: number;
  workerCpuMs: number;
  workersStarted: number;
}

/**
 * Publishes PACKAGES small npm packages (a package.json and a lock file of a few real
 * dependencies each) to a fresh service whose background tasks are off, then runs the scan queue
 * to its end and measures that: the burst of scans a run of `npm publish` leaves behind.
 */
async function scanBurst(workerMaxScans: number): Promise<BurstFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-scan-workers-'));
  const config = parseConfig({
    dataDir,
    port: 0,
    logLevel: 'silent',
    limits: { requestsPerHour: 0 },
    scan: { workers: 1, workerMaxScans },
  });
  const { app, ctx, services } = await buildApp(config, { background: false });
  try {
    await importFixtureAdvisories(ctx.db, ctx.clock);
    const init = await initOrg(ctx.db, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('bench org already existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const repo = await fetch(`${ctx.baseUrl}/repos/acme/`, {
      method: 'POST',
      headers: { 'x-api-key': init.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'dev' }),
    });
    if (repo.status !== 201) throw new Error(`creating the repository: ${repo.status}`);
    const target = { owner: 'acme', repo: 'dev', format: 'npm' };
    for (let i = 0; i < PACKAGES; i++) {
      // Real dependencies the fixture advisories name, so each scan matches something.
      const tarball = await npmTarball(`bench-pkg-${i}`, '1.0.0', { sequelize: '3.23.5', lodash: '4.17.4' });
      await publishFile(ctx.baseUrl, init.apiKey, target, tarball, `bench-pkg-${i}-1.0.0.tgz`);
    }
    const pool = services.tasks.find((t): t is ScanWorkerPool => t instanceof ScanWorkerPool);
    if (!pool) throw new Error('the service has no scan worker pool');
    const cpu = process.cpuUsage();
    const started = performance.now();
    const scanned = await services.scan.worker.drain();
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (scanned !== PACKAGES) throw new Error(`${scanned} scans ran, not ${PACKAGES}`);
    const stats = pool.stats();
    return {
      wallMs,
      serviceCpuMs: (used.user + used.system) / 1000,
      workerCpuMs: stats.workerCpuMs,
      workersStarted: stats.started,
    };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Scanning 20 freshly published small packages: with a fresh worker process per scan (what every
 * scan cost before workers were pooled: `scan.workerMaxScans` 1) and with one long-lived worker
 * (the default). Prints wall time and CPU time (the service's and the workers', start-up
 * included) of each, and the ratio of the pooled figures to the per-scan ones; never judges them.
 */
export async function benchScanWorkers(): Promise<{ perScan: BurstFigures; pooled: BurstFigures }> {
  console.log(
    `scan workers: ${PACKAGES} small npm packages published, then their scans run (one at a time, the fixture advisories imported)`,
  );
  const perScan = await scanBurst(1);
  const pooled = await scanBurst(1000);
  const line = (label: string, f: BurstFigures): void =>
    console.log(
      `  ${label.padEnd(34)} wall ${f.wallMs.toFixed(0).padStart(5)} ms, CPU ${(f.serviceCpuMs + f.workerCpuMs).toFixed(0).padStart(5)} ms` +
        ` (service ${f.serviceCpuMs.toFixed(0)} ms, workers ${f.workerCpuMs.toFixed(0)} ms; ${f.workersStarted} worker processes)`,
    );
  line('a fresh process per scan (before)', perScan);
  line('one long-lived worker (after)', pooled);
  const cpu = (f: BurstFigures): number => f.serviceCpuMs + f.workerCpuMs;
  console.log(
    `  after ÷ before: wall ${(pooled.wallMs / perScan.wallMs).toFixed(2)}, CPU ${(cpu(pooled) / cpu(perScan)).toFixed(2)};` +
      ` per scan: ${(perScan.wallMs / PACKAGES).toFixed(0)} → ${(pooled.wallMs / PACKAGES).toFixed(0)} ms wall, ` +
      `${(cpu(perScan) / PACKAGES).toFixed(0)} → ${(cpu(pooled) / PACKAGES).toFixed(0)} ms CPU`,
  );
  return { perScan, pooled };
}
