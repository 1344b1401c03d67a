import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The OSV ecosystems whose archives the tests read. */
export type Ecosystem = 'npm' | 'PyPI' | 'Go' | 'crates.io';

/**
 * The real OSV advisories the repository ships (`scripts/advisories-subset.js` writes them): every
 * document the tests name or pick, so a fresh clone runs them offline. Accuracy over the full
 * archives is test/accuracy's.
 */
export const ADVISORIES_DIR = fileURLToPath(new URL('../fixtures/advisories', import.meta.url));

/** The `all.zip` of one ecosystem in a folder of OSV archives (the shipped subset by default). */
export function advisoryArchive(ecosystem: Ecosystem, dir = ADVISORIES_DIR): string {
  return path.join(dir, ecosystem, 'all.zip');
}

/** The shipped npm archive: what the gate, promote and scan tests import. */
export const NPM_ADVISORIES = advisoryArchive('npm');
