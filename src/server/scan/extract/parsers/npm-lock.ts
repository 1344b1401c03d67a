import semver from 'semver';
import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { isObject, objectOr, parseJson, stringOr, type JsonObject } from './common.js';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
const NODE_MODULES = 'node_modules/';

/** Reads package-lock.json / npm-shrinkwrap.json (lockfile versions 1, 2 and 3). */
export function parseNpmLock(text: string, location: string): Component[] {
  const lock = parseJson(text, location);
  if (!isObject(lock)) throw new ExtractFailure(`${location}: not an npm lockfile (expected a JSON object).`);
  // Version 2 carries both shapes; "packages" is the complete one.
  if (isObject(lock.packages)) return readPackages(lock.packages, location);
  if (isObject(lock.dependencies)) return readLegacyDependencies(lock.dependencies, location);
  if ('lockfileVersion' in lock) return [];
  throw new ExtractFailure(`${location}: not an npm lockfile (no "packages" or "dependencies").`);
}

function dependencyNames(entry: JsonObject): string[] {
  return DEPENDENCY_FIELDS.flatMap((field) => Object.keys(objectOr(entry[field])));
}

/** Git and local sources are not registry releases, so advisories keyed by version do not apply. */
function isRegistrySource(resolved: string | undefined): boolean {
  return resolved === undefined || !/^(?:git\+|git:|github:|gitlab:|bitbucket:|file:)/.test(resolved);
}

/** Lockfile v2/v3: a flat map from install path (`node_modules/a/node_modules/b`) to package. */
function readPackages(packages: JsonObject, location: string): Component[] {
  const root = objectOr(packages['']);
  // Dependencies hoisted to the top node_modules may belong to the root or to any workspace.
  const topLevelDirect = new Set(dependencyNames(root));
  for (const [key, value] of Object.entries(packages)) {
    if (key !== '' && !key.includes(NODE_MODULES) && isObject(value))
      for (const name of dependencyNames(value)) topLevelDirect.add(name);
  }
  const components: Component[] = [];
  for (const [key, value] of Object.entries(packages)) {
    const at = key.lastIndexOf(NODE_MODULES);
    // The root ("") and workspace folders are the project itself, not dependencies.
    if (at < 0 || (at > 0 && key[at - 1] !== '/') || !isObject(value)) continue;
    if (value.link === true) continue;
    const version = stringOr(value.version);
    if (!version || !isRegistrySource(stringOr(value.resolved))) continue;
    const installName = key.slice(at + NODE_MODULES.length);
    const parentKey = at === 0 ? '' : key.slice(0, at - 1);
    const name = stringOr(value.name) ?? installName;
    components.push({
      ecosystem: 'npm',
      name,
      version,
      location,
      direct: isDirect(packages, parentKey, installName, topLevelDirect),
    });
  }
  return components;
}

function isDirect(
  packages: JsonObject,
  parentKey: string,
  installName: string,
  topLevel: Set<string>,
): boolean {
  if (parentKey === '') return topLevel.has(installName);
  // Installed under another package's node_modules: direct only when that parent is a workspace.
  if (parentKey.includes(NODE_MODULES)) return false;
  return dependencyNames(objectOr(packages[parentKey])).includes(installName);
}

/** Lockfile v1: a tree of `dependencies`, each possibly with its own nested `dependencies`. */
function readLegacyDependencies(dependencies: JsonObject, location: string): Component[] {
  const components: Component[] = [];
  const pending: JsonObject[] = [dependencies];
  for (let level = pending.pop(); level; level = pending.pop()) {
    for (const [installName, value] of Object.entries(level)) {
      if (!isObject(value)) continue;
      const resolved = resolveLegacyVersion(installName, stringOr(value.version));
      if (resolved && isRegistrySource(stringOr(value.resolved)))
        components.push({ ecosystem: 'npm', name: resolved.name, version: resolved.version, location });
      if (isObject(value.dependencies)) pending.push(value.dependencies);
    }
  }
  return components;
}

/** v1 writes an alias as `npm:real-name@1.2.3`, and git, file and URL sources as their spec. */
function resolveLegacyVersion(
  installName: string,
  version: string | undefined,
): { name: string; version: string } | null {
  if (!version) return null;
  if (version.startsWith('npm:')) {
    const spec = version.slice(4);
    const at = spec.lastIndexOf('@');
    if (at <= 0) return null;
    return { name: spec.slice(0, at), version: spec.slice(at + 1) };
  }
  return semver.valid(version) ? { name: installName, version } : null;
}
