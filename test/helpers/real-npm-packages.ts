/**
 * A set of real npm packages for install tests and the npm benchmark, built at run time from what
 * `npm ci` put into node_modules: the closed dependency tree of one installed package, each
 * version packed from its installed folder as `npm pack` lays it out (`package/…`). Nothing big is
 * committed, and the packages are real: their manifests, dependency ranges, nested duplicates and
 * code are exactly what the project itself runs.
 */

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import semver from 'semver';
import tar from 'tar-stream';

/** One real package version: its manifest, its tarball and the tarball's checksums. */
export interface RealPackage {
  name: string;
  version: string;
  manifest: Record<string, unknown>;
  tarball: Buffer;
  /** `sha512-…`, as npm writes it into a lockfile. */
  integrity: string;
  shasum: string;
}

/** The dependency tree the install tests and the benchmark use (48 versions with fastify 5.12). */
export const REAL_ROOT = 'fastify';

// A fixed time for every entry, so that the same folder always packs to the same bytes.
const PACK_TIME = new Date('1985-10-26T08:15:00Z');

/** The repository's node_modules (this file runs from test/helpers or lib/test/helpers). */
export function projectModules(): string {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'node_modules'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('no node_modules above the test helpers: run npm ci first');
    dir = parent;
  }
  return path.join(dir, 'node_modules');
}

function readManifest(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
}

/** The folder Node would load `name` from when required from `fromDir` (nested copies first). */
function resolveFrom(fromDir: string, name: string, modules: string): string {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(modules)) break;
    dir = path.dirname(dir);
  }
  throw new Error(`'${name}' (needed by ${fromDir}) is not installed: run npm ci first`);
}

/**
 * The installed folders of `root` and everything it depends on (`dependencies` only, followed as
 * Node resolves them), one per distinct name@version.
 */
export function closedTree(root: string, modules = projectModules()): Map<string, string> {
  const found = new Map<string, string>();
  const pending = [path.join(modules, root)];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    const manifest = readManifest(dir);
    const key = `${String(manifest.name)}@${String(manifest.version)}`;
    if (found.has(key)) continue;
    found.set(key, dir);
    const deps = (manifest.dependencies ?? {}) as Record<string, string>;
    for (const dep of Object.keys(deps)) pending.push(resolveFrom(dir, dep, modules));
  }
  return found;
}

function filesOf(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // Nested node_modules hold other packages of the tree, never this one's files.
    if (dir === base && entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesOf(full, base));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** An installed package folder packed as `npm pack` lays it out: gzip'd tar of `package/…`. */
export async function packFolder(dir: string): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const file of filesOf(dir)) {
    const mode = fs.statSync(file).mode & 0o111 ? 0o755 : 0o644;
    const name = `package/${path.relative(dir, file).split(path.sep).join('/')}`;
    pack.entry({ name, mode, mtime: PACK_TIME }, fs.readFileSync(file));
  }
  pack.finalize();
  await ended;
  return zlib.gzipSync(Buffer.concat(chunks), { level: 6 });
}

/**
 * The closed dependency tree of `root` as real packages, lowest version of each name first (so
 * that publishing in this order leaves `latest` on the highest one).
 */
export async function realPackages(root = REAL_ROOT, modules = projectModules()): Promise<RealPackage[]> {
  const out: RealPackage[] = [];
  for (const dir of closedTree(root, modules).values()) {
    const manifest = readManifest(dir);
    const tarball = await packFolder(dir);
    out.push({
      name: String(manifest.name),
      version: String(manifest.version),
      manifest,
      tarball,
      integrity: `sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`,
      shasum: crypto.createHash('sha1').update(tarball).digest('hex'),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || semver.compare(a.version, b.version));
}

/**
 * The same package under the name `<name>-<suffix>`: its tarball unpacked and packed again with
 * the new name in its package.json (every other byte of every file kept), and its checksums
 * computed anew. For benchmarks that publish the same packages several times, each time new.
 */
export async function renamedPackage(pkg: RealPackage, suffix: string): Promise<RealPackage> {
  const name = `${pkg.name}-${suffix}`;
  const extract = tar.extract();
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const packed = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
    extract.on('error', reject);
  });
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(c as Buffer));
    stream.on('end', () => {
      let data = Buffer.concat(parts);
      if (header.name === 'package/package.json') {
        data = Buffer.from(
          JSON.stringify({ ...(JSON.parse(data.toString('utf8')) as object), name }, null, 2),
        );
      }
      pack.entry({ ...header, size: data.length }, data, next);
    });
  });
  extract.on('finish', () => pack.finalize());
  extract.end(zlib.gunzipSync(pkg.tarball));
  await packed;
  const tarball = zlib.gzipSync(Buffer.concat(chunks), { level: 6 });
  return {
    name,
    version: pkg.version,
    manifest: { ...pkg.manifest, name },
    tarball,
    integrity: `sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`,
    shasum: crypto.createHash('sha1').update(tarball).digest('hex'),
  };
}

/** The tarball file name npm gives a version. */
export function realTarballName(pkg: Pick<RealPackage, 'name' | 'version'>): string {
  return `${pkg.name.replace(/^@[^/]+\//, '')}-${pkg.version}.tgz`;
}

/**
 * The body `npm publish` sends for one real package: the manifest as published, its dist, and
 * the tarball attached. `registry` is the URL the tarball is said to live at.
 */
export function realPublishBody(pkg: RealPackage, registry: string): Record<string, unknown> {
  const file = realTarballName(pkg);
  const escaped = pkg.name.startsWith('@') ? `@${encodeURIComponent(pkg.name.slice(1))}` : pkg.name;
  return {
    _id: pkg.name,
    name: pkg.name,
    'dist-tags': { latest: pkg.version },
    versions: {
      [pkg.version]: {
        ...pkg.manifest,
        _id: `${pkg.name}@${pkg.version}`,
        dist: {
          tarball: `${registry.replace(/\/$/, '')}/${escaped}/-/${file}`,
          shasum: pkg.shasum,
          integrity: pkg.integrity,
        },
      },
    },
    _attachments: {
      [file]: {
        content_type: 'application/octet-stream',
        data: pkg.tarball.toString('base64'),
        length: pkg.tarball.length,
      },
    },
  };
}

/**
 * Publishes real packages one name at a time (versions of a name in order), up to `parallel`
 * names at once, with `put(escapedName, body)` doing the request.
 */
export async function publishAll(
  packages: RealPackage[],
  registry: string,
  put: (escapedName: string, body: Record<string, unknown>) => Promise<void>,
  parallel = 4,
): Promise<void> {
  const byName = new Map<string, RealPackage[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const queue = [...byName.values()];
  const worker = async (): Promise<void> => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const p of group) {
        const escaped = p.name.startsWith('@') ? `@${encodeURIComponent(p.name.slice(1))}` : p.name;
        await put(escaped, realPublishBody(p, registry));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}
