import { initService } from '../test/helpers/service-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres, type TestPostgres } from '../test/helpers/postgres.js';

// From bench/ when run through ts, from lib/bench/ when `npm run bench` runs it compiled.
const BIN = ['../bin/airlock-server.js', '../../bin/airlock-server.js']
  .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
  .find((file) => fs.existsSync(file))!;

/** The metadata store a benchmark service runs on. */
export type BenchStore = 'sqlite' | 'postgres';

/** A running `airlock-server serve` process with an org, a service account and a trusted issuer. */
export interface ExchangeService {
  store: BenchStore;
  url: string;
  /** The org's slug and the service account's slug the exchange names. */
  org: string;
  serviceSlug: string;
  /** The admin key of the org (for checks; never part of an exchange). */
  adminKey: string;
  /** PostgreSQL's own counters (statements, commits, WAL flushes), or null on SQLite. */
  pgCounters(): Promise<PgCounters | null>;
  /** CPU seconds the server process has used so far (user + system), or null off Linux. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** Cumulative PostgreSQL counters of the service's database. */
export interface PgCounters {
  /** Statements run, counted by pg_stat_statements (utility statements such as BEGIN included). */
  statements: number;
  /** Transactions committed. */
  commits: number;
  /** WAL flushes to disk (`pg_stat_wal.wal_sync`). */
  walSyncs: number;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/status/check/basic/`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a process from /proc (Linux reports them in clock ticks of 1/100 s). */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

async function adminCall(url: string, key: string, route: string, body: unknown): Promise<unknown> {
  const res = await fetch(url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

async function readPgCounters(url: string): Promise<PgCounters> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ statements: string; commits: string; wal_syncs: string }>(
      `select (select coalesce(sum(calls), 0) from pg_stat_statements s
                join pg_database d on d.oid = s.dbid where d.datname = current_database()) as statements,
              (select xact_commit from pg_stat_database where datname = current_database()) as commits,
              (select wal_sync from pg_stat_wal) as wal_syncs`,
    );
    const row = rows[0]!;
    return {
      statements: Number(row.statements),
      commits: Number(row.commits),
      walSyncs: Number(row.wal_syncs),
    };
  } finally {
    await client.end();
  }
}

/**
 * Starts the service as an operator would (`init`, then `serve`) on SQLite in a temporary data
 * directory, or on a throwaway PostgreSQL cluster that keeps its durability on; creates the
 * service account `deployer` and trusts `issuerUrl` for it. With `cpuProfileDir`, the server
 * process writes a V8 CPU profile there when it stops.
 */
export async function startExchangeService(
  store: BenchStore,
  issuerUrl: string,
  cpuProfileDir?: string,
): Promise<ExchangeService> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-exchange-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  try {
    let postgres: TestPostgres | undefined;
    if (store === 'postgres') {
      postgres = await startPostgres({
        durable: true,
        settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'],
      });
      cleanups.push(() => postgres!.stop());
    }
    const dbArgs = postgres ? ['--database-url', postgres.url] : [];
    const adminKey = (await initService(dataDir, { args: dbArgs })).api_key;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child: ChildProcess = spawn(
      process.execPath,
      [
        ...(cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : []),
        BIN,
        'serve',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        ...dbArgs,
        '--allow-loopback-issuers',
        '--limits-requests-per-hour',
        '0',
        '--advisories-sync-interval',
        '0',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM drains and exits, which is when a CPU profile is written.
      child.kill('SIGTERM');
      await exited;
    });
    const until = Date.now() + 30_000;
    while (!(await answers(url))) {
      if (child.exitCode !== null) throw new Error(`the service exited: ${stderr}`);
      if (Date.now() > until) throw new Error(`the service did not answer: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await adminCall(url, adminKey, '/orgs/acme/services/', { name: 'deployer', role: 'Member' });
    await adminCall(url, adminKey, '/orgs/acme/openid-connect/', {
      name: 'Bench CI',
      enabled: true,
      provider_url: issuerUrl,
      claims: { repository: 'owner/repo', ref: 'refs/heads/.*' },
      service_accounts: ['deployer'],
    });
    if (postgres) {
      // The counters are read before and after each run: only their differences are reported.
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      await client.query('create extension if not exists pg_stat_statements');
      await client.end();
    }
    return {
      store,
      url,
      org: 'acme',
      serviceSlug: 'deployer',
      adminKey,
      pgCounters: async () => (postgres ? readPgCounters(postgres.url) : null),
      cpuSeconds: () => processCpuSeconds(child.pid!),
      async stop() {
        for (const cleanup of cleanups.reverse()) await cleanup();
      },
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) await cleanup();
    throw err;
  }
}
