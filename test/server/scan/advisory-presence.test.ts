/**
 * Which ecosystems hold live advisories is asked before every scan and read again only when the
 * advisory generation moves: an import that adds the first advisory of an ecosystem, or
 * withdraws its last, must show at the next scan.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { advisoryPresence } from '../../../src/server/scan/coverage-store.js';
import type { Db } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = tempDir('airlock-presence-');
  db = await openTestDatabase(path.join(dir, 'airlock.db'));
});

afterAll(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Imports one OSV document about left-pad, withdrawn or not, modified at `modified`. */
async function importLeftPad(modified: string, withdrawn?: string): Promise<void> {
  const file = path.join(dir, `GHSA-aaaa-bbbb-cccc-${modified.slice(0, 4)}.json`);
  const doc = {
    id: 'GHSA-aaaa-bbbb-cccc',
    modified,
    ...(withdrawn ? { withdrawn } : {}),
    affected: [
      {
        package: { ecosystem: 'npm', name: 'left-pad' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }],
      },
    ],
  };
  fs.writeFileSync(file, JSON.stringify(doc));
  await importAdvisories(db, file);
}

it('follows imports and withdrawals, and answers the same between them', async () => {
  const ecosystems = ['npm', 'PyPI'];
  expect(await advisoryPresence(db, ecosystems)).toEqual({ npm: 0, PyPI: 0 });

  await importLeftPad('2026-01-01T00:00:00Z');
  expect(await advisoryPresence(db, ecosystems)).toEqual({ npm: 1, PyPI: 0 });
  // A caller changing what it was given does not change what the next caller gets.
  const given = await advisoryPresence(db, ecosystems);
  given.npm = 0;
  expect(await advisoryPresence(db, ecosystems)).toEqual({ npm: 1, PyPI: 0 });
  expect(await advisoryPresence(db, ['PyPI'])).toEqual({ PyPI: 0 });

  await importLeftPad('2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');
  expect(await advisoryPresence(db, ecosystems)).toEqual({ npm: 0, PyPI: 0 });
});
