import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import semver from 'semver';
import tar from 'tar-stream';
import { parseOsvAdvisory } from '../server/scan/advisories/osv.js';
import { readOsvZip } from '../server/scan/advisories/sources.js';
import { advisorySeverity } from '../server/scan/severity.js';

/** A dependency the demo pins: a version an advisory covers, and the version that fixes it. */
export interface DemoDependency {
  advisory: string;
  severity: string;
  name: string;
  vulnerable: string;
  fixed: string;
}

/**
 * Finds, in an npm OSV archive, a High or Critical advisory with one plain `introduced 0 → fixed X`
 * range (X a release with a patch number), so the demo can pin a version just below the fix and
 * the fix itself.
 */
export async function pickDependency(npmArchive: string): Promise<DemoDependency> {
  for await (const doc of readOsvZip(npmArchive)) {
    const osv = JSON.parse(doc.text) as {
      id: string;
      withdrawn?: string;
      affected?: {
        package: { name: string };
        ranges?: { type: string; events: Record<string, string>[] }[];
      }[];
    };
    if (osv.withdrawn) continue;
    const level = advisorySeverity(parseOsvAdvisory(doc.text)).level;
    if (level !== 'High' && level !== 'Critical') continue;
    for (const a of osv.affected ?? []) {
      if ((a.ranges ?? []).length !== 1) continue;
      const r = a.ranges![0]!;
      const fixed = r.events.find((e) => e.fixed)?.fixed;
      const v = fixed ? semver.parse(fixed) : null;
      if (
        r.type !== 'SEMVER' ||
        r.events.length !== 2 ||
        r.events[0]?.introduced !== '0' ||
        !v ||
        v.prerelease.length ||
        v.patch === 0
      )
        continue;
      return {
        advisory: osv.id,
        severity: level,
        name: a.package.name,
        vulnerable: `${v.major}.${v.minor}.${v.patch - 1}`,
        fixed: v.version,
      };
    }
  }
  throw new Error(`No advisory in ${npmArchive} has a plain fixed range the demo can use.`);
}

/** Writes an npm package tarball (`package/package.json` + `package/package-lock.json`) that pins one dependency. */
export async function writeNpmSample(
  dir: string,
  name: string,
  dep: { name: string; version: string },
): Promise<string> {
  const manifest = {
    name,
    version: '1.0.0',
    description: 'Airlock demo package',
    license: 'MIT',
    dependencies: { [dep.name]: dep.version },
  };
  const lock = {
    name,
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, version: '1.0.0', dependencies: { [dep.name]: dep.version } },
      [`node_modules/${dep.name}`]: { version: dep.version },
    },
  };
  const pack = tar.pack();
  pack.entry({ name: 'package/package.json' }, JSON.stringify(manifest, null, 2));
  pack.entry({ name: 'package/package-lock.json' }, JSON.stringify(lock, null, 2));
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  const file = path.join(dir, `${name}-1.0.0.tgz`);
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(chunks)));
  return file;
}
