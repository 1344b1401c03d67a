import type { Component } from '../types.js';
import { isObject, objectOr, parseTomlText, stringOr } from './common.js';

/**
 * Reads Cargo.lock: every `[[package]]` from a registry. Workspace members (no `source`) are the
 * project itself and git sources are no registry release, so both are skipped.
 */
export function parseCargoLock(text: string, location: string): Component[] {
  const lock = parseTomlText(text, location);
  const packages = Array.isArray(lock.package) ? lock.package : [];
  const components: Component[] = [];
  for (const entry of packages) {
    if (!isObject(entry)) continue;
    const name = stringOr(entry.name);
    const version = stringOr(entry.version);
    const source = stringOr(entry.source) ?? '';
    if (name && version && /^(?:registry|sparse)\+/.test(source))
      components.push({ ecosystem: 'crates.io', name, version, location });
  }
  return components;
}

/** Reads a packaged crate's own Cargo.toml (`[package]` name and version; cargo writes them out in full). */
export function parseCargoManifest(text: string, location: string): Component[] {
  const pkg = objectOr(parseTomlText(text, location).package);
  const name = stringOr(pkg.name);
  const version = stringOr(pkg.version);
  return name && version ? [{ ecosystem: 'crates.io', name, version, location }] : [];
}
