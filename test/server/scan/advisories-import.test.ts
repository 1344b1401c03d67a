import fs from 'node:fs';
import path from 'node:path';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { parseOsvAdvisory, type OsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import { lookupAdvisories } from '../../../src/server/scan/advisories/query.js';
import { readOsvZip } from '../../../src/server/scan/advisories/sources.js';
import { findVulnerabilities } from '../../../src/server/scan/match.js';
import { compileAffectedFor } from '../../../src/server/scan/versions/index.js';
import type { Db } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';
import { archivePath, eventOf, loadArchive } from './advisories-data.js';

async function freshDb(dir: string): Promise<Db> {
  return openTestDatabase(path.join(dir, 'airlock.db'));
}

async function count(
  db: Db,
  table: 'advisories' | 'advisory_aliases' | 'advisory_packages',
): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Writes the first `limit` documents of an archive into a folder, as the archive holds them. */
async function copyToFolder(archive: string, dir: string, limit: number): Promise<Map<string, string>> {
  fs.mkdirSync(dir, { recursive: true });
  const files = new Map<string, string>();
  for await (const doc of readOsvZip(archive)) {
    if (files.size >= limit) break;
    const id = parseOsvAdvisory(doc.text).id;
    const file = path.join(dir, `${id}.json`);
    fs.writeFileSync(file, doc.text);
    files.set(id, file);
  }
  return files;
}

function editDocument(file: string, edit: (doc: OsvAdvisory) => void): OsvAdvisory {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as OsvAdvisory;
  edit(doc);
  fs.writeFileSync(file, JSON.stringify(doc, null, 1));
  return doc;
}

/** A version inside the advisory's first evaluable range, checked against the range itself. */
function affectedVersion(doc: OsvAdvisory): { ecosystem: string; name: string; version: string } | null {
  for (const affected of doc.affected ?? []) {
    const matcher = compileAffectedFor(affected.package!.ecosystem, affected);
    const values = (affected.ranges ?? []).flatMap((r) =>
      r.events.map((e) => eventOf(e as Record<string, string>)[1]),
    );
    for (const version of [...values, ...(affected.versions ?? []), '0.0.0', '0.1.0', '1.0.0']) {
      if (matcher.matches(version))
        return { ecosystem: affected.package!.ecosystem, name: affected.package!.name, version };
    }
  }
  return null;
}

describe('advisory import', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = tempDir('airlock-advisories-');
    db = await freshDb(dir);
  });
  afterEach(async () => {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports an archive into one row per advisory, its aliases and its affected packages', async () => {
    const docs = await loadArchive('crates.io');
    const result = await importAdvisories(db, archivePath('crates.io'));
    expect(result.invalid).toEqual([]);
    expect(result.added.sort()).toEqual(docs.map((d) => d.id).sort());
    expect(result.withdrawn).toBe(docs.filter((d) => d.withdrawn).length);
    expect(await count(db, 'advisories')).toBe(docs.length);
    const aliases = docs.reduce((n, d) => n + new Set((d.aliases ?? []).filter((a) => a !== d.id)).size, 0);
    expect(await count(db, 'advisory_aliases')).toBe(aliases);
    expect(await count(db, 'advisory_packages')).toBe(
      docs.reduce((n, d) => n + (d.affected ?? []).length, 0),
    );
    const names = new Set(docs.flatMap((d) => (d.affected ?? []).map((a) => a.package!.name)));
    expect(new Set(result.touched.map((t) => t.name))).toEqual(names);
    expect(result.touched.every((t) => t.ecosystem === 'crates.io')).toBe(true);
  });

  it('skips every advisory on a second import of the same archive', async () => {
    const first = await importAdvisories(db, archivePath('npm'));
    const second = await importAdvisories(db, archivePath('npm'));
    expect(second.added).toEqual([]);
    expect(second.changed).toEqual([]);
    expect(second.skipped).toBe(first.added.length);
    expect(second.touched).toEqual([]);
  });

  it('replaces only the advisory whose modified time changed in a copied folder', async () => {
    const folder = path.join(dir, 'osv');
    const files = await copyToFolder(archivePath('crates.io'), folder, 60);
    const first = await importAdvisories(db, folder);
    expect(first.added).toHaveLength(60);

    const [id, file] = [...files].find(([i]) => i.startsWith('RUSTSEC-'))!;
    const before = (await lookupAdvisories(db, id))[0]!;
    expect(before.aliases.length).toBeGreaterThan(0);
    const edited = editDocument(file, (doc) => {
      doc.modified = new Date(Date.parse(doc.modified) + 86_400_000).toISOString();
      doc.summary = `${doc.summary ?? ''} (revised)`;
      doc.aliases = doc.aliases!.slice(1);
    });

    const second = await importAdvisories(db, folder);
    expect(second.changed).toEqual([id]);
    expect(second.added).toEqual([]);
    expect(second.skipped).toBe(59);
    expect(second.touched.map((t) => t.name).sort()).toEqual(
      [...new Set(edited.affected!.map((a) => a.package!.name))].sort(),
    );
    const after = (await lookupAdvisories(db, id))[0]!;
    expect(after.summary).toBe(edited.summary);
    expect(after.modified).toBe(edited.modified);
    expect(after.aliases).toEqual([...edited.aliases!].sort());
    expect(await count(db, 'advisories')).toBe(60);
  });

  it('skips a document older than the stored advisory, counting it as stale', async () => {
    const folder = path.join(dir, 'osv');
    const files = await copyToFolder(archivePath('npm'), folder, 5);
    await importAdvisories(db, folder);
    const [id, file] = [...files][0]!;
    editDocument(file, (doc) => {
      doc.modified = new Date(Date.parse(doc.modified) - 86_400_000).toISOString();
      doc.summary = 'an older text';
    });
    const again = await importAdvisories(db, folder);
    expect(again.changed).toEqual([]);
    expect(again.stale).toBe(1);
    expect((await lookupAdvisories(db, id))[0]!.summary).not.toBe('an older text');
  });

  it('stops matching an advisory once it is withdrawn', async () => {
    const folder = path.join(dir, 'osv');
    const files = await copyToFolder(archivePath('crates.io'), folder, 40);
    await importAdvisories(db, folder);
    const [id, file] = [...files].find(([, f]) =>
      affectedVersion(parseOsvAdvisory(fs.readFileSync(f, 'utf8'))),
    )!;
    const component = affectedVersion(parseOsvAdvisory(fs.readFileSync(file, 'utf8')))!;
    const ids = async (): Promise<string[]> =>
      (await findVulnerabilities(db, [component]))[0]!.vulnerabilities.map((v) => v.id);
    expect(await ids()).toContain(id);

    editDocument(file, (doc) => {
      doc.withdrawn = doc.modified = new Date(Date.parse(doc.modified) + 86_400_000).toISOString();
    });
    const result = await importAdvisories(db, folder);
    expect(result.changed).toEqual([id]);
    expect(result.withdrawn).toBe(1);
    expect(await ids()).not.toContain(id);
    expect((await lookupAdvisories(db, id))[0]!.withdrawn).not.toBeNull();
  });

  it('never matches the advisories the archives themselves withdrew', async () => {
    await importAdvisories(db, archivePath('crates.io'));
    const withdrawn = (await loadArchive('crates.io')).filter((d) => d.withdrawn);
    expect(withdrawn.length).toBeGreaterThan(0);
    const components = withdrawn.map(affectedVersion).filter((c) => c !== null);
    expect(components.length).toBeGreaterThan(0);
    const found = (await findVulnerabilities(db, components)).flatMap((r) =>
      r.vulnerabilities.map((v) => v.id),
    );
    for (const doc of withdrawn) expect(found).not.toContain(doc.id);
  });

  it('finds an advisory by its id or any alias, in any case', async () => {
    await importAdvisories(db, archivePath('crates.io'));
    const doc = (await loadArchive('crates.io')).find((d) => (d.aliases ?? []).length >= 2)!;
    for (const key of [doc.id, doc.id.toLowerCase(), ...doc.aliases!, doc.aliases![0]!.toLowerCase()]) {
      const found = await lookupAdvisories(db, key);
      expect(found.map((a) => a.id)).toContain(doc.id);
    }
    const [record] = await lookupAdvisories(db, doc.id);
    expect(record!.aliases).toEqual([...doc.aliases!].sort());
    expect(record!.affected.map((a) => a.name)).toEqual(doc.affected!.map((a) => a.package!.name));
    expect(record!.references.map((r) => r.url)).toEqual(doc.references!.map((r) => r.url));
    expect(await lookupAdvisories(db, 'NO-SUCH-ADVISORY-0')).toEqual([]);
  });

  it('reports documents it cannot read and imports the rest', async () => {
    const folder = path.join(dir, 'osv');
    await copyToFolder(archivePath('npm'), folder, 3);
    fs.writeFileSync(path.join(folder, 'broken.json'), '{"id": "X-1", ');
    fs.writeFileSync(path.join(folder, 'no-modified.json'), JSON.stringify({ id: 'X-2' }));
    const result = await importAdvisories(db, folder);
    expect(result.added).toHaveLength(3);
    expect(result.invalid.map((p) => p.file).sort()).toEqual(['broken.json', 'no-modified.json']);
    expect(result.invalid.find((p) => p.file === 'no-modified.json')!.reason).toMatch(/modified/);
    await expect(importAdvisories(db, path.join(dir, 'missing.zip'))).rejects.toThrow(/no such file/);
  });
});
