import type { Component } from '../types.js';
import { splitLines } from './common.js';

interface Requirement {
  path: string;
  version: string;
  direct: boolean;
}

interface Replacement {
  path: string;
  version?: string;
  /** The module it points at, or null when it points at a local directory. */
  target: { path: string; version: string } | null;
}

function unquote(token: string): string {
  return token.replace(/^"(.*)"$/, '$1').replace(/^`(.*)`$/, '$1');
}

/**
 * Reads go.mod's `require` directives (single lines and blocks). `// indirect` marks a
 * transitive requirement (direct=false). `replace` directives are applied: a module replaced by
 * another module version is reported as that one, and one replaced by a local directory is dropped.
 */
export function parseGoMod(text: string, location: string): Component[] {
  const requirements: Requirement[] = [];
  const replacements: Replacement[] = [];
  let block: string | null = null;
  for (const raw of splitLines(text)) {
    const indirect = /\/\/\s*indirect\b/.test(raw);
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (line === '') continue;
    if (block !== null) {
      if (line === ')') block = null;
      else readDirective(block, line, indirect, requirements, replacements);
      continue;
    }
    const opening = /^(\w+)\s*\($/.exec(line);
    if (opening) {
      block = opening[1];
      continue;
    }
    const single = /^(\w+)\s+(.+)$/.exec(line);
    if (single) readDirective(single[1], single[2], indirect, requirements, replacements);
  }
  return applyReplacements(requirements, replacements).map((req) => ({
    ecosystem: 'Go',
    name: req.path,
    version: req.version,
    location,
    direct: req.direct,
  }));
}

function readDirective(
  verb: string,
  args: string,
  indirect: boolean,
  requirements: Requirement[],
  replacements: Replacement[],
): void {
  if (verb === 'require') {
    const [path, version] = args.split(/\s+/).map(unquote);
    if (path && version) requirements.push({ path, version, direct: !indirect });
  } else if (verb === 'replace') {
    const [left, right] = args.split('=>').map((side) => side.trim().split(/\s+/).map(unquote));
    if (!left?.[0] || !right?.[0]) return;
    const local = right[0].startsWith('.') || right[0].startsWith('/') || right.length < 2;
    replacements.push({
      path: left[0],
      version: left[1],
      target: local ? null : { path: right[0], version: right[1] },
    });
  }
}

function applyReplacements(requirements: Requirement[], replacements: Replacement[]): Requirement[] {
  const result: Requirement[] = [];
  for (const req of requirements) {
    // A version-specific replacement wins over one for every version of the module.
    const replacement =
      replacements.find((r) => r.path === req.path && r.version === req.version) ??
      replacements.find((r) => r.path === req.path && r.version === undefined);
    if (!replacement) result.push(req);
    else if (replacement.target) result.push({ ...replacement.target, direct: req.direct });
  }
  return result;
}

/**
 * Reads go.sum: one module version per line. Lines for `…/go.mod` only record that the module's
 * go.mod was consulted while resolving versions; its code was not built, so they are skipped.
 */
export function parseGoSum(text: string, location: string): Component[] {
  const components: Component[] = [];
  for (const line of splitLines(text)) {
    const [path, version] = line.trim().split(/\s+/);
    if (!path || !version || version.endsWith('/go.mod')) continue;
    components.push({ ecosystem: 'Go', name: path, version, location });
  }
  return components;
}
