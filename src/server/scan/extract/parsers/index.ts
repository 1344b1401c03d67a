import type { ManifestKind } from '../classify.js';
import type { Component } from '../types.js';
import { parseCargoLock, parseCargoManifest } from './cargo.js';
import { isObject, parseJson } from './common.js';
import { parseGoMod, parseGoSum } from './go.js';
import { parseNpmLock } from './npm-lock.js';
import { parseNpmPackageJson } from './npm-package.js';
import { parsePnpmLock } from './pnpm-lock.js';
import { parsePipfileLock, parsePoetryLock } from './python-locks.js';
import { parsePythonMetadata } from './python-metadata.js';
import { parseRequirements } from './requirements.js';
import { isSbomDocument, parseSbom } from './sbom.js';
import { parseYarnLock } from './yarn-lock.js';

const READERS: Readonly<Record<ManifestKind, (text: string, location: string) => Component[]>> = {
  'npm-package-self': (text, location) => parseNpmPackageJson(text, location, true),
  'npm-package-bundled': (text, location) => parseNpmPackageJson(text, location, false),
  'npm-lock': parseNpmLock,
  'yarn-lock': parseYarnLock,
  'pnpm-lock': parsePnpmLock,
  requirements: parseRequirements,
  'python-metadata': parsePythonMetadata,
  'poetry-lock': parsePoetryLock,
  'pipfile-lock': parsePipfileLock,
  'go-mod': parseGoMod,
  'go-sum': parseGoSum,
  'cargo-lock': parseCargoLock,
  'cargo-manifest': parseCargoManifest,
  sbom: parseSbom,
};

/** Decodes a manifest's bytes as UTF-8 without a byte-order mark. */
export function decodeText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** Reads the components one manifest names; throws ExtractFailure when it is malformed. */
export function readManifest(kind: ManifestKind, bytes: Buffer, location: string): Component[] {
  return READERS[kind](decodeText(bytes), location);
}

/**
 * Recognises a lockfile or SBOM pushed under a name that does not say what it is, from its
 * content: CycloneDX/SPDX JSON, npm and Pipfile lockfiles, pnpm's YAML and yarn's v1 header.
 */
export function sniffManifest(bytes: Buffer, location: string): ManifestKind | null {
  const text = decodeText(bytes);
  const start = text.trimStart().slice(0, 1);
  if (start === '{') {
    let doc: unknown;
    try {
      doc = parseJson(text, location);
    } catch {
      return null;
    }
    if (isSbomDocument(doc)) return 'sbom';
    if (!isObject(doc)) return null;
    if ('lockfileVersion' in doc && ('packages' in doc || 'dependencies' in doc)) return 'npm-lock';
    if (isObject(doc._meta) && ('default' in doc || 'develop' in doc)) return 'pipfile-lock';
    return null;
  }
  if (/^lockfileVersion:/m.test(text) && /^(?:packages|importers):/m.test(text)) return 'pnpm-lock';
  if (/^# yarn lockfile v1$/m.test(text)) return 'yarn-lock';
  return null;
}
