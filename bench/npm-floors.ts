/**
 * Floors for the npm benchmark: servers that do the least a registry can and still let the real
 * client finish, so the time a registry adds above the client's own can be read beside the
 * side-by-side figures.
 */

import http from 'node:http';
import type net from 'node:net';
import semver from 'semver';
import { abbreviate } from '../src/server/npm/registry.js';
import { realTarballName, type RealPackage } from '../test/helpers/real-npm-packages.js';

/** A floor server on loopback. */
export interface FloorServer {
  /** Its URL with a trailing slash, as a registry URL. */
  url: string;
  stop(): Promise<void>;
}

async function listen(server: http.Server): Promise<FloorServer> {
  // Keep-alive as long as npm holds its sockets, as any registry would.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The abbreviated packuments of the packages (tarballs at `base`), serialised, by name. */
function packuments(packages: RealPackage[], base: string): Map<string, Buffer> {
  const byName = new Map<string, RealPackage[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const out = new Map<string, Buffer>();
  for (const [name, versions] of byName) {
    const latest = versions.map((p) => p.version).sort(semver.rcompare)[0]!;
    const doc = {
      name,
      'dist-tags': { latest },
      versions: Object.fromEntries(
        versions.map((p) => [
          p.version,
          abbreviate({
            ...p.manifest,
            name,
            version: p.version,
            dist: { tarball: `${base}${tarballPath(p)}`, shasum: p.shasum, integrity: p.integrity },
          }),
        ]),
      ),
    };
    out.set(name, Buffer.from(JSON.stringify(doc)));
  }
  return out;
}

function tarballPath(p: RealPackage): string {
  return `${p.name}/-/${realTarballName(p)}`;
}

/**
 * A registry that serves the packages' abbreviated packuments and tarballs from memory, every
 * answer computed before the first request: what `npm install` takes through it is the client's
 * own time (resolving, fetching over loopback, extracting, linking), which no registry beats.
 */
export async function startStaticRegistry(packages: RealPackage[]): Promise<FloorServer> {
  const answers = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    // npm escapes the slash of a scoped name (`@scope%2fname`); tarball paths keep it.
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
    const body = answers.get(path);
    if (!body) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const type = path.endsWith('.tgz') ? 'application/octet-stream' : 'application/json';
    res.writeHead(200, { 'content-type': type, 'content-length': body.length }).end(body);
  });
  const floor = await listen(server);
  for (const [name, body] of packuments(packages, floor.url)) answers.set(name, body);
  for (const p of packages) answers.set(tarballPath(p), p.tarball);
  return floor;
}

/**
 * A registry that reads each PUT body to its end and answers 201 at once, storing nothing: the
 * time a publish takes against it is the client's and the transfer's.
 */
export async function startDiscardingRegistry(): Promise<FloorServer> {
  const server = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  return listen(server);
}
