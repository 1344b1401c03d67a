import type { Component } from '../types.js';
import { ExtractFailure } from '../types.js';
import { isObject, parseJson, stringOr, type JsonObject } from './common.js';
import { parsePurl } from './purl.js';

/** True when the JSON document is a CycloneDX or SPDX SBOM. */
export function isSbomDocument(doc: unknown): boolean {
  return isObject(doc) && (doc.bomFormat === 'CycloneDX' || typeof doc.spdxVersion === 'string');
}

/** Reads a CycloneDX or SPDX JSON SBOM: every package with a purl of a supported ecosystem. */
export function parseSbom(text: string, location: string): Component[] {
  return readSbomDocument(parseJson(text, location), location);
}

/** Reads an already-parsed SBOM document (see {@link parseSbom}). */
export function readSbomDocument(doc: unknown, location: string): Component[] {
  if (!isObject(doc) || !isSbomDocument(doc))
    throw new ExtractFailure(`${location}: not a CycloneDX or SPDX JSON document.`);
  const purls = doc.bomFormat === 'CycloneDX' ? cycloneDxPurls(doc) : spdxPurls(doc);
  const components: Component[] = [];
  for (const purl of purls) {
    const parsed = parsePurl(purl);
    if (parsed) components.push({ ...parsed, location });
  }
  return components;
}

function cycloneDxPurls(doc: JsonObject): string[] {
  const purls: string[] = [];
  const pending: unknown[] = [];
  if (isObject(doc.metadata)) pending.push(doc.metadata.component);
  if (Array.isArray(doc.components)) pending.push(...doc.components);
  // Components nest (assemblies); walk them without recursion so depth cannot blow the stack.
  for (let index = 0; index < pending.length; index += 1) {
    const next = pending[index];
    if (!isObject(next)) continue;
    const purl = stringOr(next.purl);
    if (purl) purls.push(purl);
    if (Array.isArray(next.components)) pending.push(...next.components);
  }
  return purls;
}

function spdxPurls(doc: JsonObject): string[] {
  const purls: string[] = [];
  for (const pkg of Array.isArray(doc.packages) ? doc.packages : []) {
    if (!isObject(pkg) || !Array.isArray(pkg.externalRefs)) continue;
    for (const ref of pkg.externalRefs) {
      if (isObject(ref) && ref.referenceType === 'purl') {
        const locator = stringOr(ref.referenceLocator);
        if (locator) purls.push(locator);
      }
    }
  }
  return purls;
}
