import semver from 'semver';
import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { isObject, objectOr, parseYamlText, stringOr, type JsonObject } from './common.js';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'];

interface NameVersion {
  name: string;
  version: string;
}

/**
 * Reads pnpm-lock.yaml. Package keys differ by lockfile version: v5 `/name/1.0.0_peer@2.0.0`,
 * v6 `/name@1.0.0(peer@2.0.0)`, v9 `name@1.0.0` (peers only under `snapshots`). Direct
 * dependencies come from the root's or each importer's dependency maps.
 */
export function parsePnpmLock(text: string, location: string): Component[] {
  const lock = parseYamlText(text, location);
  if (!isObject(lock) || !('lockfileVersion' in lock))
    throw new ExtractFailure(`${location}: not a pnpm lockfile (no lockfileVersion).`);
  const slashStyle = Number.parseFloat(String(lock.lockfileVersion)) < 6;
  const direct = collectDirect(lock, slashStyle);
  const components: Component[] = [];
  for (const key of Object.keys(objectOr(lock.packages))) {
    const parsed = parsePackageKey(key, slashStyle);
    if (!parsed) continue;
    const component: Component = { ecosystem: 'npm', ...parsed, location };
    if (direct) component.direct = direct.has(`${parsed.name}@${parsed.version}`);
    components.push(component);
  }
  return components;
}

/** Drops the peer suffix: `_peer@2.0.0` in v5, `(peer@2.0.0)` from v6 on. */
function stripPeers(version: string, slashStyle: boolean): string {
  const cut = version.indexOf(slashStyle ? '_' : '(');
  return cut >= 0 ? version.slice(0, cut) : version;
}

/** Parses a `packages` key; null for tarball, git, file and link sources (their "version" is no release). */
export function parsePackageKey(key: string, slashStyle: boolean): NameVersion | null {
  const bare = key.startsWith('/') ? key.slice(1) : key;
  let name: string;
  let version: string;
  if (slashStyle) {
    const segments = bare.split('/');
    if (segments.length < 2) return null;
    version = stripPeers(segments[segments.length - 1], true);
    const nameSegments = segments.slice(0, -1);
    // A key can carry a registry host in front: keep only `name` or `@scope/name`.
    const scoped = nameSegments.length >= 2 && nameSegments[nameSegments.length - 2].startsWith('@');
    name = nameSegments.slice(scoped ? -2 : -1).join('/');
  } else {
    const withoutPeers = stripPeers(bare, false);
    const at = withoutPeers.lastIndexOf('@');
    if (at <= 0) return null;
    name = withoutPeers.slice(0, at);
    version = withoutPeers.slice(at + 1);
  }
  if (!semver.valid(version) || name.includes(':')) return null;
  return { name, version };
}

/** `name@version` of every dependency an importer (the root or a workspace) declares; null when the file lists none. */
function collectDirect(lock: JsonObject, slashStyle: boolean): Set<string> | null {
  const importers: JsonObject[] = isObject(lock.importers)
    ? Object.values(lock.importers).filter(isObject)
    : DEPENDENCY_FIELDS.some((field) => field in lock)
      ? [lock]
      : [];
  if (importers.length === 0) return null;
  const direct = new Set<string>();
  for (const importer of importers)
    for (const field of DEPENDENCY_FIELDS)
      for (const [depName, spec] of Object.entries(objectOr(importer[field]))) {
        const resolved = stringOr(spec) ?? stringOr(objectOr(spec).version);
        const target = resolved ? resolveImporterVersion(depName, resolved, slashStyle) : null;
        if (target) direct.add(`${target.name}@${target.version}`);
      }
  return direct;
}

/** An importer's version is plain (`1.0.0(peer@2)`), a path for aliases (`/real/1.0.0`, `/real@1.0.0`, `real@1.0.0`) or `link:`. */
function resolveImporterVersion(depName: string, version: string, slashStyle: boolean): NameVersion | null {
  if (version.startsWith('link:') || version.startsWith('file:')) return null;
  if (version.startsWith('/')) return parsePackageKey(version, slashStyle);
  const plain = stripPeers(version, slashStyle);
  // v9 writes an alias as `real@1.0.0`; peers (`1.0.0(react@18.2.0)`) also hold an @, so look before them.
  if (!slashStyle && plain.indexOf('@', 1) > 0) return parsePackageKey(version, false);
  return semver.valid(plain) ? { name: depName, version: plain } : null;
}
