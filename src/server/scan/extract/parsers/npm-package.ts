import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { isObject, parseJson, stringOr } from './common.js';

/**
 * Reads the name and version of one package.json. The npm tarball's own package.json must have
 * both (`required`); a package.json under node_modules without them is not a package root
 * (some packages ship `{"type": "module"}` stubs in subfolders) and yields nothing.
 */
export function parseNpmPackageJson(text: string, location: string, required: boolean): Component[] {
  const manifest = parseJson(text, location);
  const name = isObject(manifest) ? stringOr(manifest.name) : undefined;
  const version = isObject(manifest) ? stringOr(manifest.version) : undefined;
  if (name && version) return [{ ecosystem: 'npm', name, version, location }];
  if (required)
    throw new ExtractFailure(`${location}: the package's package.json has no "name" and "version".`);
  return [];
}
