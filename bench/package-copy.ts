import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';

const KIB = 1024;
const GIB = 1024 * 1024 * 1024;
const ROUNDS = 15;

/** Figures of one run: the median copy time of each size and their ratio. */
export interface PackageCopyFigures {
  smallBytes: number;
  largeBytes: number;
  smallMs: number;
  largeMs: number;
  ratio: number;
}

async function call(
  base: string,
  key: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(base + url, {
    method,
    headers: { 'X-Api-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** `size` bytes of a repeating pattern, produced 1 MiB at a time so nothing large sits in memory. */
function patternStream(size: number): Readable {
  const chunk = Buffer.alloc(1024 * 1024, 'airlock-');
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

function putStream(url: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'PUT',
        agent: false,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`PUT ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    patternStream(size).pipe(req);
  });
}

async function createRaw(base: string, key: string, name: string, size: number): Promise<string> {
  const upload = (await call(base, key, 'POST', '/files/bench/src/', {
    filename: `${name}.bin`,
    method: 'put',
  })) as {
    identifier: string;
    upload_url: string;
  };
  await putStream(upload.upload_url, size);
  const pkg = (await call(base, key, 'POST', '/packages/bench/src/upload/raw/', {
    package_file: upload.identifier,
    name,
    version: '1.0',
  })) as { slug_perm: string };
  return pkg.slug_perm;
}

async function copyMs(base: string, key: string, id: string): Promise<number> {
  const start = process.hrtime.bigint();
  await call(base, key, 'POST', `/packages/bench/src/${id}/copy/`, { destination: 'dst', republish: true });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Copies a 1 KiB and a 1 GiB raw package between repositories of a fresh embedded service and
 * prints the median time of each and their ratio: a copy only writes metadata (the blob is
 * shared), so the ratio should stay near 1.
 */
export async function benchPackageCopy(largeBytes = GIB): Promise<PackageCopyFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-copy-'));
  const { app, ctx } = await buildApp(parseConfig({ dataDir, port: 0, logLevel: 'silent' }), {
    background: false,
  });
  try {
    const init = await initOrg(ctx.db, ctx.secret, 'bench', new Date());
    if (!init.created) throw new Error('bench org already existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = ctx.baseUrl;
    for (const slug of ['src', 'dst'])
      await call(base, init.apiKey, 'POST', '/repos/bench/', { name: slug, slug });
    const small = await createRaw(base, init.apiKey, 'small', KIB);
    const large = await createRaw(base, init.apiKey, 'large', largeBytes);
    // Interleaved, so that disk and CPU noise falls on both sizes alike.
    const smallTimes: number[] = [];
    const largeTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      smallTimes.push(await copyMs(base, init.apiKey, small));
      largeTimes.push(await copyMs(base, init.apiKey, large));
    }
    const smallMs = median(smallTimes);
    const largeMs = median(largeTimes);
    const figures = { smallBytes: KIB, largeBytes, smallMs, largeMs, ratio: largeMs / smallMs };
    console.log(
      `package copy (median of ${ROUNDS}): 1 KiB ${smallMs.toFixed(2)} ms, ` +
        `${(largeBytes / GIB).toFixed(largeBytes % GIB ? 3 : 0)} GiB ${largeMs.toFixed(2)} ms, ` +
        `ratio ${figures.ratio.toFixed(2)}`,
    );
    return figures;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
