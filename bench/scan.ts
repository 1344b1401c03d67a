import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { initOrg } from '../src/server/domain/orgs.js';
import { importAdvisories } from '../src/server/scan/advisories/import.js';
import { readOsvZip } from '../src/server/scan/advisories/sources.js';

const ADVISORIES = fileURLToPath(new URL('../../../shared/advisories/', import.meta.url));

/** Figures of the scan benchmark. */
export interface ScanFigures {
  components: number;
  lockfileScanSeconds: number;
  componentsPerSecond: number;
  uploadToScannedMs: number;
}

/** npm package names that advisories name, so the lockfile exercises real matching. */
async function advisoryNames(): Promise<string[]> {
  const names = new Set<string>();
  for await (const doc of readOsvZip(path.join(ADVISORIES, 'npm/all.zip'))) {
    const osv = JSON.parse(doc.text) as { affected?: { package: { name: string } }[] };
    for (const a of osv.affected ?? []) names.add(a.package.name);
  }
  return [...names];
}

/** A package-lock.json v3 with `count` components: every advisory-named package, then made-up ones. */
function lockfile(names: string[], count: number): string {
  const packages: Record<string, unknown> = { '': { name: 'bench-app', version: '1.0.0' } };
  for (let i = 0; i < count; i++) {
    const name = i < names.length ? names[i]! : `bench-dep-${i}`;
    packages[`node_modules/${name}`] = { version: `${1 + (i % 5)}.${i % 10}.${i % 7}` };
  }
  return JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, packages });
}

async function api(
  base: string,
  key: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(base + p, {
    method,
    headers: { 'X-Api-Key': key, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

async function upload(
  base: string,
  key: string,
  bytes: Buffer,
  filename: string,
  fields: Record<string, unknown>,
): Promise<string> {
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const slot = await api(base, key, 'POST', '/files/acme/dev/', {
    filename,
    sha256_checksum: sha256,
    method: 'put',
  });
  const put = await fetch(String(slot.upload_url), { method: 'PUT', body: bytes });
  if (!put.ok) throw new Error(`PUT: ${put.status}`);
  const pkg = await api(base, key, 'POST', '/packages/acme/dev/upload/raw/', {
    package_file: slot.identifier,
    ...fields,
  });
  return String(pkg.slug_perm);
}

/**
 * Imports every advisory archive into a fresh service, then measures (1) the scan of a
 * 5,000-component package-lock.json pushed as a raw package, in components per second, and
 * (2) the time from the upload of a small package until its `package.security_scanned` webhook
 * arrives at a receiver on loopback.
 */
export async function benchScan(count = 5000): Promise<ScanFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-scan-'));
  const received = new Map<string, number>();
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as { data?: { slug_perm?: string }; meta?: { event_id?: string } };
      if (payload.meta?.event_id === 'package.security_scanned' && payload.data?.slug_perm) {
        received.set(payload.data.slug_perm, performance.now());
      }
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const { app, ctx, services } = await buildApp(parseConfig({ dataDir, logLevel: 'silent', port: 0 }));
  try {
    for (const eco of ['npm', 'PyPI', 'Go', 'crates.io'])
      await importAdvisories(ctx.db, path.join(ADVISORIES, eco, 'all.zip'));
    const init = await initOrg(ctx.db, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('org existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = ctx.baseUrl;
    const key = init.apiKey;
    await api(base, key, 'POST', '/repos/acme/', { name: 'dev' });
    const port = (receiver.address() as { port: number }).port;
    await api(base, key, 'POST', '/webhooks/acme/dev/', {
      target_url: `http://127.0.0.1:${port}/`,
      events: ['package.security_scanned'],
    });

    const names = await advisoryNames();
    const lock = Buffer.from(lockfile(names, count));
    const lockId = await upload(base, key, lock, 'package-lock.json', { name: 'bench-lock', version: '1' });
    const started = performance.now();
    await services.scan.waitForScan(lockId, 120);
    const lockfileScanSeconds = (performance.now() - started) / 1000;
    const scan = await ctx.db
      .selectFrom('scans')
      .select(['num_components', 'num_vulnerabilities', 'outcome'])
      .where('package_id', '=', lockId)
      .executeTakeFirstOrThrow();
    if (scan.num_components !== count)
      throw new Error(`the scan read ${scan.num_components} components, not ${count}`);

    const small = Buffer.from(lockfile(names.slice(0, 20), 20));
    const t0 = performance.now();
    const smallId = await upload(base, key, small, 'package-lock.json', {
      name: 'bench-small',
      version: '1',
    });
    const deadline = Date.now() + 30_000;
    while (!received.has(smallId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const uploadToScannedMs = (received.get(smallId) ?? Number.NaN) - t0;

    const figures: ScanFigures = {
      components: count,
      lockfileScanSeconds,
      componentsPerSecond: count / lockfileScanSeconds,
      uploadToScannedMs,
    };
    console.log(
      `scan of a ${count}-component package-lock.json: ${lockfileScanSeconds.toFixed(2)} s (${figures.componentsPerSecond.toFixed(0)} components/s, ${scan.num_vulnerabilities} findings; aim: under 1 s)`,
    );
    console.log(
      `upload → package.security_scanned webhook, small package: ${uploadToScannedMs.toFixed(0)} ms (aim: under 1000 ms)`,
    );
    return figures;
  } finally {
    await app.close();
    receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
