import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';

/** A throwaway PostgreSQL cluster on loopback. */
export interface TestPostgres {
  /** Connection URL of a fresh database. */
  url: string;
  stop(): void;
}

const BIN = '/usr/lib/postgresql/15/bin';

/** True when PostgreSQL 15's server binaries are installed (.ci/run installs them). */
export function postgresAvailable(): boolean {
  return fs.existsSync(path.join(BIN, 'initdb')) && spawnSync('id', ['postgres']).status === 0;
}

/** Options of {@link startPostgres}. */
export interface TestPostgresOptions {
  /**
   * Keep PostgreSQL's own durability (`fsync`, the default `synchronous_commit`): for benchmarks
   * whose figures must include the WAL flush. Tests leave it off: their data is thrown away.
   */
  durable?: boolean;
  /** Further server settings, `name=value` each (given as `-c name=value`). */
  settings?: string[];
}

/**
 * Starts a PostgreSQL 15 cluster in a temporary directory, listening on 127.0.0.1 only, with
 * trust auth for the `postgres` user. Runs as the `postgres` system user when this process is root.
 */
export async function startPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  if (!postgresAvailable())
    throw new Error(
      `PostgreSQL 15 is not installed under ${BIN}: apt-get install postgresql (.ci/run does).`,
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-pg-'));
  const data = path.join(dir, 'data');
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]): void => {
    const argv = asPostgres ? ['-u', 'postgres', '--', path.join(BIN, cmd), ...args] : args;
    execFileSync(asPostgres ? 'runuser' : path.join(BIN, cmd), argv, { stdio: 'pipe' });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', [
    '-D',
    data,
    '-o',
    [
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
      ...(options.durable ? [] : ['fsync=off']),
      ...(options.settings ?? []),
    ].join(' -c '),
    '-l',
    path.join(dir, 'log'),
    '-w',
    'start',
  ]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
