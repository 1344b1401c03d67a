// The shared PostgreSQL cluster and S3 API server of the PostgreSQL + S3 pass
// (AIRLOCK_TEST_STORES=postgres-s3): started once by globalSetup, their addresses passed to the
// workers through the environment (which they inherit), stopped by globalTeardown. Each test
// service then takes a fresh database and bucket of its own (test/helpers/stores.ts).
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const PG_BIN = '/usr/lib/postgresql/15/bin';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Runs a PostgreSQL binary, as the `postgres` user when this process is root (initdb refuses root). */
function pgRun(cmd, args) {
  const asPostgres = process.getuid && process.getuid() === 0;
  const file = asPostgres ? 'runuser' : path.join(PG_BIN, cmd);
  const argv = asPostgres ? ['-u', 'postgres', '--', path.join(PG_BIN, cmd), ...args] : args;
  execFileSync(file, argv, { stdio: 'pipe' });
}

async function startPostgres() {
  if (!fs.existsSync(path.join(PG_BIN, 'initdb')))
    throw new Error(
      `PostgreSQL 15 is not installed under ${PG_BIN}: apt-get install postgresql (.ci/run does).`,
    );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-pg-pass-'));
  const data = path.join(dir, 'data');
  if (process.getuid && process.getuid() === 0) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const port = await freePort();
  pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Test data is thrown away: durability settings off; enough connections for a worker's pools.
  const options = [
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400',
  ].join(' ');
  pgRun('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
  return { dir, data, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

async function startMoto() {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0)
    throw new Error('moto_server is not on the PATH: . .ci/tools.d/moto.sh installs it.');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited at start (${child.exitCode})`);
    try {
      const res = await globalThis.fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within 60 s`);
    }
    await sleep(100);
  }
  return { child, endpoint };
}

/** Starts both and exports their addresses; a no-op unless AIRLOCK_TEST_STORES=postgres-s3. */
async function startStores() {
  const stores = process.env.AIRLOCK_TEST_STORES;
  if (!stores || stores === 'sqlite-fs') return;
  if (stores !== 'postgres-s3')
    throw new Error(`AIRLOCK_TEST_STORES=${stores}: expected sqlite-fs (the default) or postgres-s3.`);
  const pg = await startPostgres();
  globalThis.__airlockPg = pg;
  const s3 = await startMoto();
  globalThis.__airlockS3 = s3;
  process.env.AIRLOCK_TEST_PG_URL = pg.url;
  process.env.AIRLOCK_TEST_S3_ENDPOINT = s3.endpoint;
  // moto accepts any credentials; the service's S3 client reads them from the environment.
  process.env.AWS_ACCESS_KEY_ID ??= 'airlock-test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'airlock-test-secret';
  process.env.AWS_REGION ??= 'us-east-1';
  process.stderr.write(`\nnote: PostgreSQL + S3 pass: PostgreSQL at ${pg.url}, S3 at ${s3.endpoint}\n`);
}

/** Stops what startStores started. */
async function stopStores() {
  const s3 = globalThis.__airlockS3;
  if (s3 && s3.child.exitCode === null) {
    const exited = new Promise((resolve) => s3.child.once('exit', resolve));
    s3.child.kill('SIGTERM');
    await exited;
  }
  const pg = globalThis.__airlockPg;
  if (pg) {
    try {
      pgRun('pg_ctl', ['-D', pg.data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(pg.dir, { recursive: true, force: true });
    }
  }
}

module.exports = { startStores, stopStores };
