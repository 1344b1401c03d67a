import type { Component } from '../types.js';
import { normalisePypiName, splitLines } from './common.js';

// name, optional [extras], then exactly one `==` or `===` pin and nothing else.
const PINNED = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s,;*]+)$/;

/**
 * Reads the pinned lines of a pip requirements file (`name==version`). Ranges, URLs, editable
 * installs, `-r`/`-c` includes and other options name no single release and are skipped.
 * Environment markers are dropped rather than evaluated: the pin is what would be installed
 * wherever the marker holds, and a scan should see it.
 */
export function parseRequirements(text: string, location: string): Component[] {
  const components: Component[] = [];
  for (const line of joinContinuations(splitLines(text))) {
    const requirement = stripOptions(stripComment(line)).split(';')[0].trim();
    if (requirement === '' || requirement.startsWith('-')) continue;
    const match = PINNED.exec(requirement);
    if (match)
      components.push({ ecosystem: 'PyPI', name: normalisePypiName(match[1]), version: match[2], location });
  }
  return components;
}

function joinContinuations(lines: string[]): string[] {
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    joined.push(pending + line);
    pending = '';
  }
  if (pending) joined.push(pending);
  return joined;
}

/** pip treats `#` as a comment only at the start or after whitespace (URLs keep their `#egg=`). */
function stripComment(line: string): string {
  const match = /(?:^|\s)#/.exec(line);
  return match ? line.slice(0, match.index) : line;
}

/** Per-requirement options such as `--hash=sha256:…` follow the requirement after whitespace. */
function stripOptions(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('-')) return trimmed;
  const match = /\s-/.exec(trimmed);
  return match ? trimmed.slice(0, match.index) : trimmed;
}
