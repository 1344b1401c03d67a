import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { npmTarball } from '../fixtures/packages/archives.js';

/** Where `.ci/tools.d/verdaccio.sh` installs Verdaccio, unless AIRLOCK_VERDACCIO names the binary. */
export function verdaccioBinary(): string {
  return (
    process.env.AIRLOCK_VERDACCIO ??
    path.join(
      process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache/airlock-tools'),
      'verdaccio/node_modules/.bin/verdaccio',
    )
  );
}

/** A Verdaccio registry on loopback holding what the test publishes to it. */
export interface Verdaccio {
  url: string;
  /** Publishes one version of a package (a tarball built from `manifest`, or the bytes given). */
  publish(name: string, version: string, tarball?: Buffer): Promise<void>;
  /** Sends a publish body as `npm publish` does (`escapedName` as a registry path writes it). */
  put(escapedName: string, body: Record<string, unknown>): Promise<void>;
  /** Stops the registry (its storage stays, so `start` brings it back with the same packages). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes its storage. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(`${url}/-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`verdaccio did not answer at ${url}: ${output()}`);
}

/** How to start Verdaccio. */
export interface VerdaccioOptions {
  /** A registry every package is proxied from (an uplink whose copies stay fresh for `maxage`). */
  uplink?: string;
}

/**
 * Starts Verdaccio with a temporary configuration and storage, anonymous publishing allowed, no
 * uplinks unless `options.uplink` names one.
 */
export async function startVerdaccio(options: VerdaccioOptions = {}): Promise<Verdaccio> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-verdaccio-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yaml');
  fs.writeFileSync(
    config,
    [
      `storage: ${path.join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${path.join(dir, 'htpasswd')}`,
      ...(options.uplink
        ? ['uplinks:', '  origin:', `    url: ${options.uplink}`, '    maxage: 30m', '    cache: true']
        : ['uplinks: {}']),
      'packages:',
      ...["'@*/*'", "'**'"].flatMap((pattern) => [
        `  ${pattern}:`,
        '    access: $all',
        '    publish: $all',
        '    unpublish: $all',
        ...(options.uplink ? ['    proxy: origin'] : []),
      ]),
      'log: { type: stdout, format: json, level: error }',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  let output = '';
  const start = async (): Promise<void> => {
    output = '';
    child = spawn(verdaccioBinary(), ['--config', config, '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await waitReady(url, child, () => output);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url,
    async publish(name, version, tarball) {
      const bytes = tarball ?? (await npmTarball({ name, version, license: 'MIT' }));
      const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
      const escaped = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : name;
      const body = {
        _id: name,
        name,
        'dist-tags': { latest: version },
        versions: {
          [version]: {
            name,
            version,
            license: 'MIT',
            _id: `${name}@${version}`,
            dist: {
              tarball: `${url}/${escaped}/-/${file}`,
              shasum: crypto.createHash('sha1').update(bytes).digest('hex'),
              integrity: `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
            },
          },
        },
        _attachments: {
          [file]: {
            content_type: 'application/octet-stream',
            data: bytes.toString('base64'),
            length: bytes.length,
          },
        },
      };
      const res = await fetch(`${url}/${escaped}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`verdaccio refused ${name}@${version}: ${res.status} ${await res.text()}`);
    },
    async put(escapedName, body) {
      const res = await fetch(`${url}/${escapedName}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`verdaccio refused ${escapedName}: ${res.status} ${await res.text()}`);
    },
    stop,
    start,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
