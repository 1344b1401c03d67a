import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { normalisePypiName, splitLines } from './common.js';

/** Reads `Name` and `Version` from a wheel's METADATA or an sdist's PKG-INFO (RFC 822 headers). */
export function parsePythonMetadata(text: string, location: string): Component[] {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of splitLines(text)) {
    if (line.trim() === '') break; // the headers end at the first blank line; the description follows
    const match = /^([A-Za-z-]+):\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const field = match[1].toLowerCase();
    if (field === 'name' && name === undefined) name = match[2];
    if (field === 'version' && version === undefined) version = match[2];
  }
  if (!name || !version) throw new ExtractFailure(`${location}: package metadata has no Name and Version.`);
  return [{ ecosystem: 'PyPI', name: normalisePypiName(name), version, location }];
}
