import { initService } from '../../helpers/service-process.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PackageStatus } from '../../../src/api/packages.js';
import type { ScanCoverage, VulnerabilityScanResultsListItem } from '../../../src/api/vulnerabilities.js';
import { makeTar } from '../../fixtures/packages/archives.js';
import { NPM_ADVISORIES } from '../../helpers/advisories.js';
import { tempDir, type TestServer } from '../../helpers/server.js';
import { api, createAccount, createRepo, uploadPackage } from '../../helpers/upload.js';

const BIN = fileURLToPath(new URL('../../../bin/airlock-server.js', import.meta.url));

/** The bound docs/scanning.md gives for the service's resident memory while it scans. */
const RSS_BOUND_BYTES = 1024 * 1024 * 1024;
const LOCKFILES = 3;
const ENTRIES_PER_LOCKFILE = 280_000;

/** A package-lock.json naming `count` distinct packages, as a large monorepo's would. */
function hugeLockfile(tag: string, count: number): string {
  const parts = [
    `{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app"}`,
  ];
  for (let i = 0; i < count; i++)
    parts.push(`,"node_modules/dep-${tag}-${i}":{"version":"1.${i % 50}.${i % 7}"}`);
  parts.push('}}');
  return parts.join('');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Peak resident memory of a process so far (Linux `VmHWM`), in bytes. */
function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!kib) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib[1]) * 1024;
}

describe('an upload built to freeze the service', () => {
  let dataDir: string;
  let child: ChildProcess;
  let server: TestServer;

  beforeAll(async () => {
    dataDir = tempDir('airlock-freeze-');
    const run = promisify(execFile);
    const adminKey = (await initService(dataDir)).api_key;
    await run(process.execPath, [BIN, 'advisories', 'import', '--data-dir', dataDir, NPM_ADVISORIES]);
    const port = await freePort();
    child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--log-level',
        'error',
        '--advisories-sync-interval',
        '0',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const url = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      const up = await fetch(`${url}/status/check/basic/`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (child.exitCode !== null || tries > 200) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    // The helpers only need the URL, the org and a key.
    server = { url, org: 'acme', adminKey } as TestServer;
    await createRepo(server, 'dev');
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering requests within 200 ms (95th percentile, none past 1 s), within its memory bound, while a Write user’s lockfiles are scanned', async () => {
    const writer = await createAccount(server, 'ci-writer', { dev: 'Write' });
    const files = [
      { name: 'package/package.json', content: JSON.stringify({ name: 'app', version: '1.0.0' }) },
    ];
    for (let k = 0; k < LOCKFILES; k++)
      files.push({
        name: `package/workspace-${k}/package-lock.json`,
        content: hugeLockfile(String(k), ENTRIES_PER_LOCKFILE),
      });
    const tarball = await makeTar(files);

    const waitForScan = async (id: string): Promise<PackageStatus | undefined> => {
      let status: PackageStatus | undefined;
      for (let i = 0; i < 12 && !status?.security_scan_completed_at; i++)
        status = (
          await api<PackageStatus>(
            server,
            'GET',
            `/packages/acme/dev/${id}/status/?wait=5`,
            undefined,
            writer,
          )
        ).body;
      return status;
    };
    // A service in use: one ordinary package already went through upload and scan.
    const warm = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'npm',
      await makeTar([
        { name: 'package/package.json', content: JSON.stringify({ name: 'warm', version: '1.0.0' }) },
      ]),
      'warm-1.0.0.tgz',
      {},
      writer,
    );
    await waitForScan(warm.body.slug_perm);

    const created = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'npm',
      tarball,
      'app-1.0.0.tgz',
      {},
      writer,
    );
    expect(created.status).toBe(201);
    const id = created.body.slug_perm;

    // While it is scanned, probe liveness every 100 ms until the scan has finished.
    let scanning = true;
    const latencies: number[] = [];
    const probing = (async () => {
      while (scanning) {
        const sent = performance.now();
        const res = await fetch(`${server.url}/status/check/basic/`);
        await res.text();
        latencies.push(performance.now() - sent);
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let status: PackageStatus | undefined;
    try {
      status = await waitForScan(id);
    } finally {
      scanning = false;
      await probing;
    }
    expect(status?.security_scan_status).toBe('Scan Detected No Vulnerabilities');
    expect(latencies.length).toBeGreaterThan(5);
    // The attack froze every request for 45–89 s. On a shared 2-core runner a single probe may
    // wait on the scheduler, so the bound is the 95th percentile, and no probe may wait a second.
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(0.95 * (sorted.length - 1))]).toBeLessThan(200);
    expect(sorted[sorted.length - 1]).toBeLessThan(1000);
    expect(peakRss(child.pid!)).toBeLessThan(RSS_BOUND_BYTES);

    // The scan stopped at its documented limit and says what it did not evaluate.
    const list = await api<VulnerabilityScanResultsListItem[]>(
      server,
      'GET',
      `/vulnerabilities/acme/dev/${id}/`,
    );
    const item = list.body[0]!;
    expect(item).toMatchObject({
      num_components: LOCKFILES * ENTRIES_PER_LOCKFILE + 1,
      num_components_evaluated: 100_000,
      num_components_not_evaluated: LOCKFILES * ENTRIES_PER_LOCKFILE + 1 - 100_000,
    });
    const detail = await api<{ coverage: ScanCoverage }>(
      server,
      'GET',
      `/vulnerabilities/acme/dev/${id}/${item.identifier}/`,
    );
    expect(detail.body.coverage).toMatchObject({
      complete: false,
      limit_reached: 'components per package (100,000)',
    });
    expect(detail.body.coverage.not_evaluated_components).toHaveLength(1000);
    expect(detail.body.coverage.not_evaluated_components[0]).toMatchObject({ reason: 'scan_limit' });
  }, 60_000);
});
