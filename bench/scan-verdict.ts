import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VulnerabilityScan } from '../src/api/vulnerabilities.js';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { newId } from '../src/server/domain/ids.js';
import { initOrg } from '../src/server/domain/orgs.js';
import { packageMatchesQuery } from '../src/server/domain/package-query.js';
import { evaluatePolicies, evaluatePoliciesIn } from '../src/server/policies/evaluate.js';
import { SCAN_STATUS } from '../src/server/scan/scan-package.js';
import { recordScan, type NewScan } from '../src/server/store/scans.js';
import { durabilityFloorMs } from './durability-floor.js';

/** Figures of the scan-verdict benchmark: the median time to record one finished scan. */
export interface ScanVerdictFigures {
  /** The scan's commit, then the policy verdict in a transaction of its own (the order before). */
  separateMs: number;
  /** The scan and its verdict in one commit. */
  togetherMs: number;
  durableWriteMs: number;
}

/** Finishing writes timed per order; the two orders alternate, so load falls on both alike. */
const ROUNDS = 101;
/** Findings per recorded scan, each a vulnerability a policy counts. */
const FINDINGS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function call(base: string, key: string, method: string, p: string, body: unknown): Promise<unknown> {
  const res = await fetch(base + p, {
    method,
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Times what finishing a scan writes, on the embedded store (SQLite): the scan row, its findings,
 * the package's status and the org's policy verdict (three policies, two with a query that reads
 * the scan), as one group commit against the earlier order of the scan's group commit followed
 * by the verdict's own fully synced transaction. Prints both medians, their ratio, and the
 * disk's durable-write floor measured in the same run.
 */
export async function benchScanVerdict(): Promise<ScanVerdictFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-verdict-'));
  const { app, ctx } = await buildApp(parseConfig({ dataDir, logLevel: 'silent', port: 0 }), {
    background: false,
  });
  try {
    const init = await initOrg(ctx.db, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('org existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const [base, key] = [ctx.baseUrl, init.apiKey];
    await call(base, key, 'POST', '/repos/acme/', { name: 'dev' });
    for (const [kind, body] of [
      ['vulnerability', { name: 'high', min_severity: 'High', package_query_string: 'severity:critical' }],
      ['vulnerability', { name: 'all', min_severity: 'Low' }],
      [
        'license',
        { name: 'no GPL', spdx_identifiers: ['GPL-3.0-only'], package_query_string: 'scan:vulnerable' },
      ],
    ] as const)
      await call(base, key, 'POST', `/orgs/acme/${kind}-policy/`, body);
    const bytes = crypto.randomBytes(1024);
    const slot = (await call(base, key, 'POST', '/files/acme/dev/', {
      filename: 'bench.bin',
      sha256_checksum: crypto.createHash('sha256').update(bytes).digest('hex'),
      method: 'put',
    })) as { upload_url: string; identifier: string };
    const put = await fetch(slot.upload_url, { method: 'PUT', body: bytes });
    if (!put.ok) throw new Error(`PUT: ${put.status}`);
    const pkg = (await call(base, key, 'POST', '/packages/acme/dev/upload/raw/', {
      package_file: slot.identifier,
      name: 'bench',
      version: '1',
    })) as { slug_perm: string };
    const row = await ctx.db
      .selectFrom('packages')
      .select(['id', 'org_id', 'repo_id'])
      .where('id', '=', pkg.slug_perm)
      .executeTakeFirstOrThrow();

    // Only the fields the evaluation reads.
    const scans = [
      {
        type: 'npm',
        target: 'package-lock.json',
        results: Array.from({ length: FINDINGS }, (_, i) => ({
          vulnerability_id: `GHSA-bench-${i}`,
          severity: i % 2 ? 'Critical' : 'Medium',
          package_name: `dep-${i}`,
          affected_version: { raw_version: '1.0.0' },
        })),
      },
    ] as unknown as VulnerabilityScan[];
    const scanRow = (): NewScan => {
      const at = new Date().toISOString();
      return {
        id: newId(),
        package_id: row.id,
        org_id: row.org_id,
        repo_id: row.repo_id,
        outcome: 'vulnerable',
        reason: '',
        num_components: FINDINGS,
        num_components_evaluated: FINDINGS,
        num_components_not_evaluated: 0,
        limit_reached: null,
        coverage: null,
        num_vulnerabilities: FINDINGS,
        max_severity: 'Critical',
        started_at: at,
        completed_at: at,
      };
    };
    const separate: number[] = [];
    const together: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let t = process.hrtime.bigint();
      await recordScan(ctx, scanRow(), scans, SCAN_STATUS.vulnerable, async () => undefined);
      await evaluatePolicies(ctx, packageMatchesQuery, row.id, scans);
      separate.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      await recordScan(ctx, scanRow(), scans, SCAN_STATUS.vulnerable, (tx) =>
        evaluatePoliciesIn(ctx, tx, packageMatchesQuery, row.id, scans),
      );
      together.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const figures: ScanVerdictFigures = {
      separateMs: median(separate),
      togetherMs: median(together),
      durableWriteMs: durabilityFloorMs(dataDir),
    };
    console.log(
      `finishing a scan (${FINDINGS} findings, 3 policies), median of ${ROUNDS}: scan and verdict in one commit ` +
        `${figures.togetherMs.toFixed(2)} ms, scan then verdict ${figures.separateMs.toFixed(2)} ms ` +
        `(ratio ${(figures.togetherMs / figures.separateMs).toFixed(2)}); durable write on this disk ${figures.durableWriteMs.toFixed(2)} ms`,
    );
    return figures;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
