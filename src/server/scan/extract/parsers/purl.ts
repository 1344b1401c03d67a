import type { Component, Ecosystem } from '../types.js';
import { normalisePypiName } from './common.js';

const ECOSYSTEM_OF_TYPE: Readonly<Record<string, Ecosystem>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  cargo: 'crates.io',
};

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * Reads a package URL (`pkg:type/namespace/name@version?qualifiers#subpath`) of a supported
 * type into an ecosystem, name and version; null for other types, versionless or malformed ones.
 * Segments are percent-decoded, so `pkg:npm/%40scope/name@1.0.0` is `@scope/name`.
 */
export function parsePurl(purl: string): Omit<Component, 'location'> | null {
  const match = /^pkg:\/*([A-Za-z][A-Za-z0-9.+-]*)\/([^?#]+)/.exec(purl.trim());
  if (!match) return null;
  const ecosystem = ECOSYSTEM_OF_TYPE[match[1].toLowerCase()];
  if (!ecosystem) return null;
  const rest = match[2].replace(/\/+$/, '');
  const at = rest.lastIndexOf('@');
  // The version's @ comes after the last slash; an earlier one belongs to an unencoded npm scope.
  if (at < 0 || at < rest.lastIndexOf('/')) return null;
  const version = decode(rest.slice(at + 1));
  const segments = rest
    .slice(0, at)
    .split('/')
    .filter((segment) => segment !== '')
    .map(decode);
  if (!version || segments.length === 0 || segments.some((segment) => !segment)) return null;
  const name = (segments as string[]).join('/');
  return { ecosystem, name: ecosystem === 'PyPI' ? normalisePypiName(name) : name, version };
}
