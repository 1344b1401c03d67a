import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { isObject, normalisePypiName, objectOr, parseJson, parseTomlText, stringOr } from './common.js';

// Poetry records where a package came from; these sources are not index releases.
const LOCAL_SOURCES = new Set(['directory', 'file', 'git', 'url']);

/** Reads poetry.lock: every `[[package]]` with a name and version that came from a package index. */
export function parsePoetryLock(text: string, location: string): Component[] {
  const lock = parseTomlText(text, location);
  const packages = Array.isArray(lock.package) ? lock.package : [];
  const components: Component[] = [];
  for (const entry of packages) {
    if (!isObject(entry)) continue;
    const name = stringOr(entry.name);
    const version = stringOr(entry.version);
    const sourceType = stringOr(objectOr(entry.source).type);
    if (name && version && !(sourceType && LOCAL_SOURCES.has(sourceType)))
      components.push({ ecosystem: 'PyPI', name: normalisePypiName(name), version, location });
  }
  return components;
}

/** Reads Pipfile.lock: the `default` and `develop` sections, keeping entries pinned with `==`. */
export function parsePipfileLock(text: string, location: string): Component[] {
  const lock = parseJson(text, location);
  if (!isObject(lock)) throw new ExtractFailure(`${location}: not a Pipfile.lock (expected a JSON object).`);
  const components: Component[] = [];
  for (const section of ['default', 'develop']) {
    for (const [name, entry] of Object.entries(objectOr(lock[section]))) {
      const pin = stringOr(objectOr(entry).version);
      const match = pin ? /^===?\s*(\S+)$/.exec(pin.trim()) : null;
      if (match)
        components.push({ ecosystem: 'PyPI', name: normalisePypiName(name), version: match[1], location });
    }
  }
  return components;
}
