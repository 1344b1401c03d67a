import { startDevIssuer, type DevIssuer } from '../src/server/oidc/dev-issuer.js';
import { KeySetCache } from '../src/server/oidc/key-sets.js';
import { readJwt, verifyOidcToken } from '../src/server/oidc/verify.js';
import { runExchanges, type LoadResult } from './exchange-load.js';
import { startExchangeService, type BenchStore, type PgCounters } from './exchange-service.js';
import { perOperation, readStoreCounts } from './store-counts.js';
import { postgresAvailable } from '../test/helpers/postgres.js';

/** Exchanges run before the timed ones: the JIT compiles the request path over the first few hundred. */
const WARM_UP_EXCHANGES = 400;
const SERIAL_EXCHANGES = 600;
const CONCURRENT_EXCHANGES = 2400;
const IN_FLIGHT = 8;
const VERIFICATIONS = 3000;

/** Figures of one store. */
export interface StoreFigures {
  store: BenchStore;
  /** First exchange against a fresh service: discovery + JWKS fetch + verify + issue, in ms. */
  coldExchangeMs: number;
  serial: LoadResult;
  concurrent: LoadResult;
  /** CPU time of the server process per exchange (ms) in the serial and the 8-in-flight run. */
  serverCpuMs: { serial: number | null; concurrent: number | null };
  /** Per exchange of the 8-in-flight run, on PostgreSQL (from its own statistics). */
  perExchange?: { statements: number; commits: number; walSyncs: number };
  /** Per exchange of the 8-in-flight run, on SQLite (from the service's `/metrics`). */
  sqliteCost?: string;
}

/** Figures of one run of the OIDC benchmark. */
export interface OidcFigures {
  /** Signature + claims verifications per second in this process, keys cached: the floor. */
  verificationsPerSecond: number;
  stores: StoreFigures[];
}

async function signTokens(issuer: DevIssuer, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await issuer.sign({ run_id: String(i) }, { expiresIn: 3600 }));
  return tokens;
}

/** The server's reading and verification of a token alone, in this process, keys cached: what an exchange cannot beat. */
async function measureVerification(issuer: DevIssuer, tokens: string[]): Promise<number> {
  const keys = new KeySetCache({ clock: () => new Date(), allowLoopback: true });
  for (const token of tokens.slice(0, WARM_UP_EXCHANGES)) {
    await verifyOidcToken(readJwt(token), issuer.issuer, keys, new Date());
  }
  const start = performance.now();
  for (let i = 0; i < VERIFICATIONS; i++)
    await verifyOidcToken(readJwt(tokens[i % tokens.length]!), issuer.issuer, keys, new Date());
  return (VERIFICATIONS * 1000) / (performance.now() - start);
}

function difference(after: PgCounters | null, before: PgCounters | null, exchanges: number) {
  if (!after || !before) return undefined;
  return {
    statements: (after.statements - before.statements) / exchanges,
    commits: (after.commits - before.commits) / exchanges,
    walSyncs: (after.walSyncs - before.walSyncs) / exchanges,
  };
}

async function measureStore(store: BenchStore, issuer: DevIssuer, tokens: string[]): Promise<StoreFigures> {
  const service = await startExchangeService(store, issuer.issuer, process.env.AIRLOCK_BENCH_CPU_PROF);
  try {
    const run = (from: number, to: number, inFlight: number) =>
      runExchanges(service.url, service.org, service.serviceSlug, tokens.slice(from, to), inFlight);
    const cpuPerExchange = async (from: number, to: number, inFlight: number) => {
      const cpuBefore = service.cpuSeconds();
      const result = await run(from, to, inFlight);
      const cpuAfter = service.cpuSeconds();
      const cpuMs =
        cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / (to - from);
      return { result, cpuMs };
    };
    const cold = await run(0, 1, 1);
    await run(1, 1 + WARM_UP_EXCHANGES, IN_FLIGHT);
    const serialFrom = 1 + WARM_UP_EXCHANGES;
    const serial = await cpuPerExchange(serialFrom, serialFrom + SERIAL_EXCHANGES, 1);
    const before = await service.pgCounters();
    const countsBefore = store === 'sqlite' ? await readStoreCounts(service.url) : null;
    const concurrent = await cpuPerExchange(serialFrom + SERIAL_EXCHANGES, tokens.length, IN_FLIGHT);
    const countsAfter = store === 'sqlite' ? await readStoreCounts(service.url) : null;
    const after = await service.pgCounters();
    const exchanges = tokens.length - serialFrom - SERIAL_EXCHANGES;
    return {
      store,
      coldExchangeMs: cold.medianMs,
      serial: serial.result,
      concurrent: concurrent.result,
      serverCpuMs: { serial: serial.cpuMs, concurrent: concurrent.cpuMs },
      perExchange: difference(after, before, exchanges),
      sqliteCost:
        countsBefore && countsAfter ? perOperation(countsBefore, countsAfter, exchanges) : undefined,
    };
  } finally {
    await service.stop();
  }
}

function print(figures: OidcFigures): void {
  const floor = figures.verificationsPerSecond;
  const rate = (r: LoadResult): string =>
    `${r.perSecond.toFixed(0).padStart(6)}/s  ÷ verification ${(r.perSecond / floor).toFixed(2)}  (median ${r.medianMs.toFixed(2)} ms)`;
  console.log('OIDC token exchange (a real server process on loopback, RS256, keys cached after the first)');
  console.log(`  floor: verifications/s in process, keys cached:  ${floor.toFixed(0)}/s`);
  for (const s of figures.stores) {
    console.log(`  ${s.store}:`);
    console.log(
      `    cold first exchange (discovery + JWKS + verify + issue): ${s.coldExchangeMs.toFixed(1)} ms`,
    );
    console.log(`    exchanges, one at a time:       ${rate(s.serial)}`);
    console.log(`    exchanges, ${IN_FLIGHT} in flight:           ${rate(s.concurrent)}`);
    const cpu = (ms: number | null): string => (ms === null ? 'n/a' : `${ms.toFixed(2)} ms`);
    console.log(
      `    server CPU per exchange: ${cpu(s.serverCpuMs.serial)} one at a time, ${cpu(s.serverCpuMs.concurrent)} ${IN_FLIGHT} in flight`,
    );
    if (s.sqliteCost) console.log(`    per exchange (${IN_FLIGHT} in flight): ${s.sqliteCost}`);
    if (s.perExchange) {
      const p = s.perExchange;
      console.log(
        `    per exchange (${IN_FLIGHT} in flight): ${p.statements.toFixed(2)} statements, ` +
          `${p.commits.toFixed(2)} commits, ${p.walSyncs.toFixed(2)} WAL flushes`,
      );
    }
  }
}

/**
 * Measures the token exchange of a real server process on loopback, on SQLite and (when
 * PostgreSQL 15 is installed) on a throwaway PostgreSQL cluster with its durability on: the first
 * exchange, then exchanges per second one at a time and with 8 in flight, each printed as a ratio
 * to in-process verification measured in the same run. `AIRLOCK_BENCH_CPU_PROF=DIR` makes each
 * server process write a CPU profile into DIR.
 */
export async function benchOidc(): Promise<OidcFigures> {
  const issuer = await startDevIssuer();
  try {
    const tokens = await signTokens(issuer, 1 + WARM_UP_EXCHANGES + SERIAL_EXCHANGES + CONCURRENT_EXCHANGES);
    const verificationsPerSecond = await measureVerification(issuer, tokens);
    const stores: BenchStore[] = postgresAvailable() ? ['sqlite', 'postgres'] : ['sqlite'];
    if (stores.length === 1) console.log('  (PostgreSQL 15 is not installed: SQLite only)');
    const figures: OidcFigures = { verificationsPerSecond, stores: [] };
    for (const store of stores) figures.stores.push(await measureStore(store, issuer, tokens));
    print(figures);
    return figures;
  } finally {
    await issuer.close();
  }
}
