import semver from 'semver';
import { parseOsvAdvisory } from '../../src/server/scan/advisories/osv.js';
import { readOsvZip } from '../../src/server/scan/advisories/sources.js';
import { advisorySeverity } from '../../src/server/scan/severity.js';
import { makeTar } from '../fixtures/packages/archives.js';
import { NPM_ADVISORIES } from '../helpers/advisories.js';
import { api } from '../helpers/upload.js';
import type { TestServer } from '../helpers/server.js';

export { NPM_ADVISORIES };

/** An advisory of the archive and a version of its package inside the affected range. */
export interface VulnerablePick {
  id: string;
  name: string;
  vulnerable: string;
  fixed: string;
  level: string;
}

/**
 * The first npm advisory in the archive rated High or Critical whose range is a plain
 * `introduced 0 → fixed X`, with the version just below the fix: a dependency pinned to it
 * fails the gate at its default threshold (high).
 */
export async function pickVulnerable(archive = NPM_ADVISORIES): Promise<VulnerablePick> {
  for await (const doc of readOsvZip(archive)) {
    const osv = parseOsvAdvisory(doc.text);
    if (osv.withdrawn) continue;
    const level = advisorySeverity(osv).level;
    if (level !== 'High' && level !== 'Critical') continue;
    for (const affected of osv.affected ?? []) {
      for (const range of affected.ranges ?? []) {
        const fixed = range.events.find((e) => e.fixed)?.fixed;
        if (
          range.type !== 'SEMVER' ||
          range.events.length !== 2 ||
          !range.events.some((e) => e.introduced === '0')
        )
          continue;
        const v = fixed ? semver.parse(fixed) : null;
        if (!v || v.prerelease.length || v.patch === 0 || !affected.package?.name) continue;
        return {
          id: osv.id,
          name: affected.package.name,
          vulnerable: `${v.major}.${v.minor}.${v.patch - 1}`,
          fixed: fixed!,
          level,
        };
      }
    }
  }
  throw new Error(`no High or Critical npm advisory with a plain fixed range in ${archive}`);
}

/**
 * An npm tarball as `npm pack` makes it (package/…), whose package-lock.json pins `deps` at the
 * given versions: what the scanner reads the dependencies from.
 */
export async function npmTarball(
  name: string,
  version: string,
  deps: Record<string, string>,
): Promise<Buffer> {
  const packages: Record<string, unknown> = { '': { name, version, dependencies: deps } };
  for (const [dep, v] of Object.entries(deps)) packages[`node_modules/${dep}`] = { version: v };
  const manifest = { name, version, license: 'MIT', main: 'index.js', dependencies: deps };
  const lock = { name, version, lockfileVersion: 3, requires: true, packages };
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify(manifest, null, 2) },
    { name: 'package/package-lock.json', content: JSON.stringify(lock, null, 2) },
    { name: 'package/index.js', content: 'module.exports = 42;\n' },
  ]);
}

/** Creates repositories in `acme` and grants a service account the given privilege on each. */
export async function createRepos(
  server: TestServer,
  service: string,
  repos: Record<string, 'Read' | 'Write' | 'Admin'>,
): Promise<void> {
  for (const [slug, privilege] of Object.entries(repos)) {
    const created = await api(server, 'POST', `/repos/${server.org}/`, { name: slug, slug });
    if (created.status !== 201)
      throw new Error(`creating ${slug}: ${created.status} ${JSON.stringify(created.body)}`);
    const granted = await api(server, 'PATCH', `/repos/${server.org}/${slug}/privileges`, {
      privileges: [{ privilege, service }],
    });
    if (granted.status !== 204) throw new Error(`granting ${privilege} on ${slug}: ${granted.status}`);
  }
}

/** The packages of a repository whose name is `name`. */
export async function packagesNamed(
  server: TestServer,
  repo: string,
  name: string,
): Promise<
  { slug_perm: string; version: string; is_quarantined: boolean; tags: Record<string, string[]> }[]
> {
  const res = await api<
    { slug_perm: string; version: string; is_quarantined: boolean; tags: Record<string, string[]> }[]
  >(server, 'GET', `/packages/${server.org}/${repo}/?query=name:${encodeURIComponent(name)}`);
  if (res.status !== 200) throw new Error(`listing ${repo}: ${res.status}`);
  return res.body;
}
