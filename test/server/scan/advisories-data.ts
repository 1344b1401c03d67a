import path from 'node:path';
import { parseOsvAdvisory, type OsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import { readOsvZip } from '../../../src/server/scan/advisories/sources.js';

/** The shared folder of real OSV archives (see its README). */
export const ADVISORY_DATA_DIR = path.resolve(process.cwd(), '../shared/advisories');

/** The archive of one ecosystem. */
export function archivePath(ecosystem: 'npm' | 'PyPI' | 'Go' | 'crates.io'): string {
  return path.join(ADVISORY_DATA_DIR, ecosystem, 'all.zip');
}

const cache = new Map<string, Promise<OsvAdvisory[]>>();

/** Every advisory of an ecosystem's archive, parsed (read once per test file). */
export function loadArchive(ecosystem: 'npm' | 'PyPI' | 'Go' | 'crates.io'): Promise<OsvAdvisory[]> {
  let docs = cache.get(ecosystem);
  if (!docs) {
    docs = (async () => {
      const out: OsvAdvisory[] = [];
      for await (const doc of readOsvZip(archivePath(ecosystem))) out.push(parseOsvAdvisory(doc.text));
      return out;
    })();
    cache.set(ecosystem, docs);
  }
  return docs;
}

/** The value and kind of an OSV event. */
export function eventOf(event: Record<string, string | undefined>): [string, string] {
  const [kind, value] = Object.entries(event)[0]!;
  return [kind, value!];
}
