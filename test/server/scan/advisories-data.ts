import { parseOsvAdvisory, type OsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import { readOsvZip } from '../../../src/server/scan/advisories/sources.js';
import { ADVISORIES_DIR, advisoryArchive, type Ecosystem } from '../../helpers/advisories.js';

/** The archive of one ecosystem in `dir` (the shipped subset by default). */
export function archivePath(ecosystem: Ecosystem, dir = ADVISORIES_DIR): string {
  return advisoryArchive(ecosystem, dir);
}

const cache = new Map<string, Promise<OsvAdvisory[]>>();

/** Every advisory of an ecosystem's archive in `dir`, parsed (read once per test file). */
export function loadArchive(ecosystem: Ecosystem, dir = ADVISORIES_DIR): Promise<OsvAdvisory[]> {
  const file = archivePath(ecosystem, dir);
  let docs = cache.get(file);
  if (!docs) {
    docs = (async () => {
      const out: OsvAdvisory[] = [];
      for await (const doc of readOsvZip(file)) out.push(parseOsvAdvisory(doc.text));
      return out;
    })();
    cache.set(file, docs);
  }
  return docs;
}

/** The value and kind of an OSV event. */
export function eventOf(event: Record<string, string | undefined>): [string, string] {
  const [kind, value] = Object.entries(event)[0]!;
  return [kind, value!];
}
