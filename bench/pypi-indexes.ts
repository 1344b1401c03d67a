import { initService } from '../test/helpers/service-process.js';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEVPI, freePort, PYPISERVER, waitUntilUp } from './pypi-tools.js';

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/airlock-server.js', import.meta.url));
const SCANNING = ['Awaiting Security Scan', 'Security Scanning in Progress'];

/** One index of a server: where twine uploads, where pip installs from, a project page. */
export interface IndexUrls {
  uploadUrl: string;
  username: string;
  password: string;
  /** pip's `--index-url`, credentials included when the index needs them. */
  indexUrl: string;
  pageUrl(project: string): string;
  /** Headers a page request needs (credentials). */
  headers: Record<string, string>;
  /** Resolves once the server's background work on what was uploaded is done. */
  settle(): Promise<void>;
}

/** A server under test: makes a fresh, empty index on demand. */
export interface IndexServer {
  name: string;
  /** Whether its simple pages answer PEP 691 JSON. */
  servesJson: boolean;
  newIndex(label: string): Promise<IndexUrls>;
  /** The service's base URL when it reports its store counters on `/metrics` (Airlock). */
  metricsBase?: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

/** The real `airlock-server` process (SQLite, files) on `dir`; each index a private repository. */
export async function startAirlock(dir: string): Promise<IndexServer> {
  const dataDir = path.join(dir, 'airlock');
  const key = (await initService(dataDir, { org: 'bench' })).api_key;
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      String(port),
      '--log-level',
      'warn',
      '--advisories-sync-interval',
      '0',
      // The peers limit no caller: the figures are of the index, not of the limiter.
      '--limits-requests-per-hour',
      '0',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${url}/status/check/basic/`, 'airlock-server', 60, () => child.exitCode === null);
  const call = (method: string, route: string, body?: unknown) =>
    fetch(url + route, {
      method,
      headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    name: 'Airlock',
    servesJson: true,
    metricsBase: url,
    async newIndex(label) {
      const made = await call('POST', '/repos/bench/', { name: label, slug: label });
      if (made.status !== 201)
        throw new Error(`creating repository ${label}: ${made.status} ${await made.text()}`);
      const base = `${url}/pypi/bench/${label}`;
      return {
        uploadUrl: `${base}/`,
        username: '__token__',
        password: key,
        indexUrl: withCredentials(`${base}/simple/`, '__token__', key),
        pageUrl: (project) => `${base}/simple/${project}/`,
        headers: { Authorization: basic('__token__', key) },
        async settle() {
          for (let i = 0; i < 600; i++) {
            const res = await call('GET', `/packages/bench/${label}/?page_size=500`);
            const packages = (await res.json()) as { security_scan_status: string }[];
            if (!packages.some((p) => SCANNING.includes(p.security_scan_status))) return;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`the scans of ${label} did not finish within a minute`);
        },
      };
    },
    stop: () => stopChild(child),
  };
}

/**
 * pypiserver as its docs advise for serving (the gunicorn server, the watchdog listing cache);
 * uploads without credentials. Each index is a folder served by a process of its own.
 */
export async function startPypiserver(dir: string): Promise<IndexServer> {
  const bin = path.join(PYPISERVER, 'pypi-server');
  if (!fs.existsSync(bin)) throw new Error(`no pypiserver at ${bin} (.ci/tools.d/pypi-peers.sh installs it)`);
  const children: ChildProcess[] = [];
  return {
    name: 'pypiserver',
    servesJson: false,
    async newIndex(label) {
      const root = path.join(dir, `pypiserver-${label}`);
      fs.mkdirSync(root, { recursive: true });
      const port = await freePort();
      // gunicorn is found on the PATH of the venv it is installed in.
      const child = spawn(
        bin,
        [
          'run',
          '--server',
          'gunicorn',
          '-i',
          '127.0.0.1',
          '-p',
          String(port),
          '-a',
          '.',
          '-P',
          '.',
          '--disable-fallback',
          root,
        ],
        { stdio: 'ignore', env: { ...process.env, PATH: `${PYPISERVER}:${process.env.PATH ?? ''}` } },
      );
      children.push(child);
      const url = `http://127.0.0.1:${port}`;
      await waitUntilUp(`${url}/simple/`, 'pypiserver', 60, () => child.exitCode === null);
      return {
        uploadUrl: `${url}/`,
        username: 'bench',
        password: 'bench',
        indexUrl: `${url}/simple/`,
        pageUrl: (project) => `${url}/simple/${project}/`,
        headers: {},
        settle: async () => {},
      };
    },
    stop: async () => {
      await Promise.all(children.map(stopChild));
    },
  };
}

/** devpi-server (SQLite, files) with no mirror of any public index; each index a stage of `root`. */
export async function startDevpi(dir: string): Promise<IndexServer> {
  const serverDir = path.join(dir, 'devpi');
  const password = 'bench-root';
  const init = path.join(DEVPI, 'devpi-init');
  if (!fs.existsSync(init))
    throw new Error(`no devpi-server at ${DEVPI} (.ci/tools.d/pypi-peers.sh installs it)`);
  await execFileAsync(init, ['--serverdir', serverDir, '--no-root-pypi', '--root-passwd', password]);
  const port = await freePort();
  const child = spawn(
    path.join(DEVPI, 'devpi-server'),
    ['--serverdir', serverDir, '--host', '127.0.0.1', '--port', String(port)],
    {
      stdio: 'ignore',
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(`${url}/+api`, 'devpi-server', 180, () => child.exitCode === null);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    name: 'devpi-server',
    servesJson: true,
    async newIndex(label) {
      const made = await fetch(`${url}/root/${label}`, {
        method: 'PUT',
        headers: { Authorization: basic('root', password), 'Content-Type': 'application/json' },
        body: JSON.stringify({ bases: [], volatile: false }),
      });
      if (!made.ok) throw new Error(`creating devpi index ${label}: ${made.status} ${await made.text()}`);
      const base = `${url}/root/${label}`;
      return {
        uploadUrl: `${base}/`,
        username: 'root',
        password,
        indexUrl: `${base}/+simple/`,
        pageUrl: (project) => `${base}/+simple/${project}/`,
        headers: {},
        settle: async () => {},
      };
    },
    stop: () => stopChild(child),
  };
}

/**
 * The floor of an upload: an HTTP server that reads each request whole and answers 200 at once,
 * so that twine's own time can be told apart from an index's.
 */
export async function startNullUpload(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('OK\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
