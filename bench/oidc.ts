import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/server/app.js';
import { parseConfig } from '../src/server/config.js';
import { generateApiKey, hashKey } from '../src/server/domain/access.js';
import { newId } from '../src/server/domain/ids.js';
import { initOrg } from '../src/server/domain/orgs.js';
import { startDevIssuer } from '../src/server/oidc/dev-issuer.js';
import { KeySetCache } from '../src/server/oidc/key-sets.js';
import { verifyOidcToken } from '../src/server/oidc/verify.js';

const WARM_EXCHANGES = 400;
const CONCURRENCY = 8;
const VERIFICATIONS = 2000;

/** Figures of one run of the OIDC benchmark. */
export interface OidcFigures {
  /** First exchange against a fresh service: discovery + JWKS fetch + verify + token issue. */
  coldExchangeMs: number;
  /** One exchange once the keys are cached (median of the sequential run). */
  warmExchangeMs: number;
  /** Exchanges per second over HTTP on loopback, one at a time. */
  sequentialPerSecond: number;
  /** Exchanges per second over HTTP on loopback with several in flight. */
  concurrentPerSecond: number;
  /** Signature + claims verifications per second in process, keys cached. */
  verificationsPerSecond: number;
}

/**
 * Measures the token exchange on loopback: a cold first exchange (discovery, key set, verify,
 * issue) and exchanges per second once the issuer's keys are cached; prints the figures.
 */
export async function benchOidc(): Promise<OidcFigures> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-oidc-'));
  const issuer = await startDevIssuer();
  const config = parseConfig({
    dataDir,
    port: 0,
    logLevel: 'silent',
    allowLoopbackIssuers: true,
    limits: { requestsPerHour: 0 },
  });
  const { app, ctx } = await buildApp(config, { background: false });
  try {
    const init = await initOrg(ctx.db, ctx.secret, 'acme', new Date());
    if (!init.created) throw new Error('bench org already existed');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = ctx.baseUrl;
    const org = await ctx.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await ctx.db
      .insertInto('services')
      .values({
        id: newId(),
        org_id: org.id,
        slug: 'deployer',
        name: 'deployer',
        description: '',
        role: 'Member',
        key_hash: hashKey(ctx.secret, generateApiKey()),
        key_created_at: now,
        created_at: now,
        created_by: null,
        deleted_at: null,
      })
      .execute();
    const created = await fetch(`${base}/orgs/acme/openid-connect/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': init.apiKey },
      body: JSON.stringify({
        name: 'Bench CI',
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo', ref: 'refs/heads/.*' },
        service_accounts: ['deployer'],
      }),
    });
    if (created.status !== 201) throw new Error(`creating the provider answered ${created.status}`);

    const exchange = async (oidcToken: string): Promise<void> => {
      const res = await fetch(`${base}/openid/acme/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ oidc_token: oidcToken, service_slug: 'deployer' }),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`exchange answered ${res.status}`);
    };

    const first = await issuer.sign({});
    const coldStart = performance.now();
    await exchange(first);
    const coldExchangeMs = performance.now() - coldStart;

    const tokens: string[] = [];
    for (let i = 0; i < WARM_EXCHANGES; i++) tokens.push(await issuer.sign({ run_id: String(i) }));

    const latencies: number[] = [];
    let start = performance.now();
    for (const token of tokens) {
      const t = performance.now();
      await exchange(token);
      latencies.push(performance.now() - t);
    }
    const sequentialPerSecond = (WARM_EXCHANGES * 1000) / (performance.now() - start);
    latencies.sort((a, b) => a - b);

    start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < tokens.length) await exchange(tokens[next++]!);
      }),
    );
    const concurrentPerSecond = (WARM_EXCHANGES * 1000) / (performance.now() - start);

    const keys = new KeySetCache({ clock: () => new Date(), allowLoopback: true });
    await verifyOidcToken(first, issuer.issuer, keys, new Date());
    start = performance.now();
    for (let i = 0; i < VERIFICATIONS; i++)
      await verifyOidcToken(tokens[i % tokens.length]!, issuer.issuer, keys, new Date());
    const verificationsPerSecond = (VERIFICATIONS * 1000) / (performance.now() - start);

    const figures: OidcFigures = {
      coldExchangeMs,
      warmExchangeMs: latencies[Math.floor(latencies.length / 2)]!,
      sequentialPerSecond,
      concurrentPerSecond,
      verificationsPerSecond,
    };
    console.log('OIDC token exchange (loopback, SQLite, RS256)');
    console.log(
      `  cold first exchange (discovery + JWKS + verify + issue): ${figures.coldExchangeMs.toFixed(1)} ms`,
    );
    console.log(
      `  warm exchange, median:                                   ${figures.warmExchangeMs.toFixed(2)} ms`,
    );
    console.log(
      `  exchanges/s, keys cached, sequential:                    ${figures.sequentialPerSecond.toFixed(0)}`,
    );
    console.log(
      `  exchanges/s, keys cached, ${CONCURRENCY} in flight:                     ${figures.concurrentPerSecond.toFixed(0)}`,
    );
    console.log(
      `  verifications/s in process, keys cached:                 ${figures.verificationsPerSecond.toFixed(0)}`,
    );
    console.log(`  cold / warm: ${(figures.coldExchangeMs / figures.warmExchangeMs).toFixed(1)}x`);
    return figures;
  } finally {
    await app.close();
    await issuer.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
