import semver from 'semver';
import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { isObject, parseYamlText, splitLines, stringOr } from './common.js';

const NON_REGISTRY =
  /^(?:file:|link:|portal:|workspace:|patch:|git\+|git:|github:|gitlab:|bitbucket:|https?:|ssh:)/;

/**
 * Reads yarn.lock: the classic v1 format, and the YAML of later versions (recognised by their
 * `__metadata` block). Only registry releases count; local, git and URL sources are skipped.
 */
export function parseYarnLock(text: string, location: string): Component[] {
  if (/^__metadata:/m.test(text)) return parseBerry(text, location);
  const components: Component[] = [];
  let specifiers: string[] | null = null;
  let version: string | undefined;
  const flush = (): void => {
    const name = specifiers && version ? nameOfSpecifiers(specifiers) : null;
    if (name && version && semver.valid(version))
      components.push({ ecosystem: 'npm', name, version, location });
    specifiers = null;
    version = undefined;
  };
  for (const line of splitLines(text)) {
    if (line === '' || line.startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      flush();
      if (!line.endsWith(':'))
        throw new ExtractFailure(`${location}: unexpected line "${line.slice(0, 80)}".`);
      specifiers = line
        .slice(0, -1)
        .split(/,\s*/)
        .map((spec) => spec.trim().replace(/^"(.*)"$/, '$1'));
      continue;
    }
    // Only the block's own field, at two spaces: a dependency may itself be called "version".
    const field = /^ {2}version:?\s+"?([^"\s]+)"?\s*$/.exec(line);
    if (field) version = field[1];
  }
  flush();
  return components;
}

/** The registry name a block of `name@range` specifiers resolved, following `alias@npm:real@range`. */
function nameOfSpecifiers(specifiers: string[]): string | null {
  for (const spec of specifiers) {
    const at = spec.indexOf('@', 1);
    if (at < 0) continue;
    const range = spec.slice(at + 1);
    if (range.startsWith('npm:')) {
      const target = range.slice(4);
      const targetAt = target.indexOf('@', 1);
      return targetAt < 0 ? target : target.slice(0, targetAt);
    }
    if (NON_REGISTRY.test(range) || /^[\w.-]+\/[\w.-]+(?:#.*)?$/.test(range)) return null;
    return spec.slice(0, at);
  }
  return null;
}

/** Yarn 2+ lockfiles are YAML; each entry's `resolution` is `name@npm:version` for registry packages. */
function parseBerry(text: string, location: string): Component[] {
  const lock = parseYamlText(text, location);
  if (!isObject(lock)) throw new ExtractFailure(`${location}: not a yarn lockfile.`);
  const components: Component[] = [];
  for (const [key, value] of Object.entries(lock)) {
    if (key === '__metadata' || !isObject(value)) continue;
    const match = /^(@?[^@]+)@npm:([^#]+)$/.exec(stringOr(value.resolution) ?? '');
    if (match && semver.valid(match[2]))
      components.push({ ecosystem: 'npm', name: match[1], version: match[2], location });
  }
  return components;
}
