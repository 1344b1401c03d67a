import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { AdvisoryIndex } from '../../../src/server/scan/advisory-index.js';
import {
  databaseQueries,
  findVulnerabilities,
  findVulnerabilitiesWith,
  type AdvisoryQueries,
  type Component,
} from '../../../src/server/scan/match.js';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import { createTestDatabase, dropTestDatabase, onSharedStores } from '../../helpers/stores.js';

// The index keeps advisories in memory between matches. These tests hold it to what the
// database says: another replica's import is seen at the next match, a package is read once
// per advisory generation, and the index stays within its bound.

let tmp: string;

/** Two handles on one database, as two replicas of the service hold them. */
async function twoReplicas(): Promise<{ a: Db; b: Db; close(): Promise<void> }> {
  if (!onSharedStores()) {
    const file = path.join(tmp, `shared-${Math.random().toString(36).slice(2)}.db`);
    const a = await openDatabase({ kind: 'sqlite', file });
    const b = await openDatabase({ kind: 'sqlite', file });
    return { a, b, close: async () => void (await Promise.all([a.destroy(), b.destroy()])) };
  }
  const { name, url } = await createTestDatabase();
  const a = await openDatabase({ kind: 'postgres', url, poolSize: 2 });
  const b = await openDatabase({ kind: 'postgres', url, poolSize: 2 });
  return {
    a,
    b,
    async close() {
      await Promise.all([a.destroy(), b.destroy()]);
      await dropTestDatabase(name);
    },
  };
}

let serial = 0;

/** Imports OSV documents (written to a fresh folder) through `db`. */
async function importDocuments(db: Db, docs: object[]): Promise<void> {
  const dir = path.join(tmp, `docs-${serial++}`);
  fs.mkdirSync(dir);
  docs.forEach((doc, i) => fs.writeFileSync(path.join(dir, `${i}.json`), JSON.stringify(doc)));
  const result = await importAdvisories(db, dir);
  expect(result.invalid).toEqual([]);
}

function advisory(
  id: string,
  name: string,
  fixed: string,
  extra: { modified?: string; withdrawn?: string; ecosystem?: string } = {},
): object {
  return {
    schema_version: '1.6.0',
    id,
    modified: extra.modified ?? '2026-01-01T00:00:00Z',
    ...(extra.withdrawn ? { withdrawn: extra.withdrawn } : {}),
    summary: `${name} before ${fixed} is affected`,
    affected: [
      {
        package: { ecosystem: extra.ecosystem ?? 'npm', name },
        ranges: [
          {
            type: (extra.ecosystem ?? 'npm') === 'npm' ? 'SEMVER' : 'ECOSYSTEM',
            events: [{ introduced: '0' }, { fixed }],
          },
        ],
      },
    ],
  };
}

const ids = (results: { vulnerabilities: { id: string }[] }[]): string[][] =>
  results.map((r) => r.vulnerabilities.map((v) => v.id));

/** Advisory queries over `db` that count the affected-row lookups and the names they ask for. */
function counting(db: Db): AdvisoryQueries & { asked: string[][] } {
  const inner = databaseQueries(db);
  const asked: string[][] = [];
  return {
    ...inner,
    asked,
    affectedRows(ecosystem, nameKeys) {
      asked.push([...nameKeys].sort());
      return inner.affectedRows(ecosystem, nameKeys);
    },
  };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-index-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the advisory index shared by matches', () => {
  it('sees at its next match what another replica imported or withdrew after its first', async () => {
    const { a, b, close } = await twoReplicas();
    try {
      const components: Component[] = [
        { ecosystem: 'npm', name: 'left-pad-x', version: '1.0.0' },
        { ecosystem: 'npm', name: 'other-x', version: '1.0.0' },
      ];
      await importDocuments(b, [advisory('TEST-1', 'other-x', '0.5.0')]);
      expect(ids(await findVulnerabilities(a, components))).toEqual([[], []]);

      await importDocuments(b, [advisory('TEST-2', 'left-pad-x', '1.2.0')]);
      const after = await findVulnerabilities(a, components);
      expect(ids(after)).toEqual([['TEST-2'], []]);
      expect(after[0]!.vulnerabilities[0]!.fixedVersion).toBe('1.2.0');

      // A changed advisory (a later fix) replaces the one the index holds.
      await importDocuments(b, [
        advisory('TEST-2', 'left-pad-x', '1.3.0', { modified: '2026-02-01T00:00:00Z' }),
      ]);
      expect((await findVulnerabilities(a, components))[0]!.vulnerabilities[0]!.fixedVersion).toBe('1.3.0');

      await importDocuments(b, [
        advisory('TEST-2', 'left-pad-x', '1.3.0', {
          modified: '2026-03-01T00:00:00Z',
          withdrawn: '2026-03-01T00:00:00Z',
        }),
      ]);
      expect(ids(await findVulnerabilities(a, components))).toEqual([[], []]);
    } finally {
      await close();
    }
  });

  it('reads each package once per advisory generation, then only names it has not seen', async () => {
    const { a, b, close } = await twoReplicas();
    try {
      await importDocuments(b, [advisory('TEST-3', 'pkg-a', '2.0.0'), advisory('TEST-4', 'pkg-b', '2.0.0')]);
      const queries = counting(a);
      const first: Component[] = [
        { ecosystem: 'npm', name: 'pkg-a', version: '1.0.0' },
        { ecosystem: 'npm', name: 'pkg-none', version: '1.0.0' },
      ];
      expect(ids(await findVulnerabilitiesWith(queries, first))).toEqual([['TEST-3'], []]);
      expect(queries.asked).toEqual([['pkg-a', 'pkg-none']]);

      // Known names, found or not, are answered from memory; a new one is read alone.
      const second: Component[] = [
        ...first,
        { ecosystem: 'npm', name: 'pkg-b', version: '3.0.0' },
        { ecosystem: 'npm', name: 'pkg-b', version: '1.5.0' },
      ];
      expect(ids(await findVulnerabilitiesWith(queries, second))).toEqual([['TEST-3'], [], [], ['TEST-4']]);
      expect(queries.asked).toEqual([['pkg-a', 'pkg-none'], ['pkg-b']]);

      // Any advisory write, through any handle, starts a new generation: everything is read again.
      await importDocuments(b, [advisory('TEST-5', 'pkg-none', '9.0.0')]);
      expect(ids(await findVulnerabilitiesWith(queries, first))).toEqual([['TEST-3'], ['TEST-5']]);
      expect(queries.asked).toEqual([['pkg-a', 'pkg-none'], ['pkg-b'], ['pkg-a', 'pkg-none']]);
    } finally {
      await close();
    }
  });

  it('empties itself past its bound and still answers every lookup in full', async () => {
    const { a, b, close } = await twoReplicas();
    try {
      const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
      await importDocuments(
        b,
        names.map((n, i) => advisory(`TEST-B${i}`, n, '2.0.0')),
      );
      const queries = databaseQueries(a);
      const index = new AdvisoryIndex(await queries.generation(), 5);
      const first = await index.entries(queries, 'npm', ['p1', 'p2']);
      expect([...first.keys()]).toEqual(['p1', 'p2']);
      expect(index.size()).toMatchObject({ packages: 2, entries: 2 });

      // Four more items (two names, two entries) would pass the bound of five: it starts again.
      const next = await index.entries(queries, 'npm', ['p3', 'p4']);
      expect([...next.values()].map((list) => list.map((e) => e.advisory.id))).toEqual([
        ['TEST-B2'],
        ['TEST-B3'],
      ]);
      expect(index.size()).toMatchObject({ packages: 2, entries: 2, advisories: 2 });

      // A lookup bigger than the bound is answered whole, though the index cannot keep it.
      const all = await index.entries(queries, 'npm', names);
      expect([...all.values()].map((list) => list.length)).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      await close();
    }
  });

  it('counts a package that two concurrent lookups read at once only once', async () => {
    const { a, b, close } = await twoReplicas();
    try {
      await importDocuments(b, [advisory('TEST-9', 'pkg-e', '2.0.0')]);
      const queries = databaseQueries(a);
      const index = new AdvisoryIndex(await queries.generation());
      const both = await Promise.all([
        index.entries(queries, 'npm', ['pkg-e']),
        index.entries(queries, 'npm', ['pkg-e']),
      ]);
      expect(both.map((found) => found.get('pkg-e')!.map((e) => e.advisory.id))).toEqual([
        ['TEST-9'],
        ['TEST-9'],
      ]);
      expect(index.size()).toMatchObject({ packages: 1, entries: 1 });
    } finally {
      await close();
    }
  });

  it('gives concurrent matches the same answers as one after the other', async () => {
    const { a, b, close } = await twoReplicas();
    try {
      await importDocuments(b, [
        advisory('TEST-6', 'pkg-c', '2.0.0'),
        advisory('TEST-7', 'pkg-d', '2.0.0'),
        advisory('TEST-8', 'django', '4.0', { ecosystem: 'PyPI' }),
      ]);
      const batches: Component[][] = [
        [{ ecosystem: 'npm', name: 'pkg-c', version: '1.0.0' }],
        [{ ecosystem: 'npm', name: 'pkg-d', version: '1.0.0' }],
        [{ ecosystem: 'pypi', name: 'Django', version: '3.2' }],
      ];
      const together = await Promise.all(batches.map((c) => findVulnerabilities(a, c)));
      expect(together.map(ids)).toEqual([[['TEST-6']], [['TEST-7']], [['TEST-8']]]);
    } finally {
      await close();
    }
  });
});
