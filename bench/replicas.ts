import crypto from 'node:crypto';
import fs from 'node:fs';
import { startDeployment, type Deployment } from '../test/helpers/replicas.js';

/** Figures of one deployment size. */
export interface ReplicaFigures {
  replicas: number;
  packages: number;
  seconds: number;
  packagesPerSecond: number;
  mibPerSecond: number;
  /** Each replica's resident set at the end and its high-water mark, in MiB. */
  rss: { nowMiB: number; peakMiB: number }[];
}

const MIB = 1024 * 1024;

function rssOf(pid: number): { nowMiB: number; peakMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { nowMiB: Math.round(kib('VmRSS') / 1024), peakMiB: Math.round(kib('VmHWM') / 1024) };
}

async function call(d: Deployment, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(d.url + path, {
    method,
    headers: { 'X-Api-Key': d.adminKey, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** One package the way a client makes it: request an upload, PUT the bytes, create the package. */
async function publish(d: Deployment, i: number, bytes: Buffer): Promise<void> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const granted = await call(d, 'POST', '/files/acme/bench/', {
    filename: `p${i}.bin`,
    sha256_checksum: sha256,
    method: 'put',
  });
  if (granted.status !== 202) throw new Error(`upload request ${granted.status}: ${await granted.text()}`);
  const { identifier, upload_url } = (await granted.json()) as { identifier: string; upload_url: string };
  const put = await fetch(upload_url, { method: 'PUT', body: bytes });
  await put.arrayBuffer();
  if (!put.ok) throw new Error(`PUT ${put.status}`);
  const created = await call(d, 'POST', '/packages/acme/bench/upload/raw/', {
    package_file: identifier,
    name: `p${i}`,
    version: '1',
  });
  await created.arrayBuffer();
  if (created.status !== 201) throw new Error(`create ${created.status}`);
}

async function measure(
  replicas: number,
  packages: number,
  size: number,
  clients: number,
): Promise<ReplicaFigures> {
  const d = await startDeployment({ replicas });
  try {
    const repo = await call(d, 'POST', '/repos/acme/', { name: 'bench', slug: 'bench' });
    if (repo.status !== 201) throw new Error(`creating the repository: ${repo.status}`);
    const payloads = Array.from({ length: packages }, () => crypto.randomBytes(size));
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < packages) {
          const i = next++;
          await publish(d, i, payloads[i]!);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      replicas,
      packages,
      seconds: Number(seconds.toFixed(2)),
      packagesPerSecond: Number((packages / seconds).toFixed(1)),
      mibPerSecond: Number(((packages * size) / MIB / seconds).toFixed(1)),
      rss: d.replicas.map((r) => rssOf(r.process.pid!)),
    };
  } finally {
    await d.stop();
  }
}

/**
 * Upload and package-create throughput of one replica and of three behind nginx, on PostgreSQL
 * and moto's S3 server on loopback, with each replica's memory. On a 2-core machine the three
 * replicas share the cores with nginx, PostgreSQL, the S3 server and the clients: the figure is
 * what spreading the work costs or gains here, not what more machines would give.
 */
export async function benchReplicas(
  packages = 300,
  size = 64 * 1024,
  clients = 24,
): Promise<ReplicaFigures[]> {
  const figures = [await measure(1, packages, size, clients), await measure(3, packages, size, clients)];
  console.log('replicas  packages  seconds  packages/s  MiB/s  RSS now/peak per replica (MiB)');
  for (const f of figures) {
    const rss = f.rss.map((r) => `${r.nowMiB}/${r.peakMiB}`).join(', ');
    console.log(
      `${String(f.replicas).padStart(8)}  ${String(f.packages).padStart(8)}  ${String(f.seconds).padStart(7)}  ${String(f.packagesPerSecond).padStart(10)}  ${String(f.mibPerSecond).padStart(5)}  ${rss}`,
    );
  }
  return figures;
}
