// Rebuilds test/fixtures/advisories/<ecosystem>/all.zip, the small subset of the real OSV
// archives that lets a fresh clone run `npm run demo` and the tests offline.
//
//   node scripts/advisories-subset.js [FULL_ARCHIVES_DIR]   (default ../shared/advisories)
//
// Each subset keeps, in the full archive's order, its first few documents and the ids listed
// below (byte for byte). The output is deterministic: same input, same bytes (fixed entry times
// in local time, as zip stores them, and a fixed order), so a rebuild shows no diff unless the
// data changed.
import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import yazl from 'yazl';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const source = path.resolve(process.argv[2] ?? path.join(root, '../shared/advisories'));
const target = path.join(root, 'test/fixtures/advisories');

/** Every event value of an advisory's ranges (`{introduced: "1.0"}` gives "1.0"). */
const eventValues = (doc) =>
  (doc.affected ?? []).flatMap((a) =>
    (a.ranges ?? []).flatMap((r) => r.events.map((e) => Object.values(e)[0])),
  );
const vectors = (doc) => (doc.severity ?? []).map((s) => s.score ?? '');
const firstName = (doc) => doc.affected?.[0]?.package?.name ?? '';

/**
 * What each subset keeps: its `first` documents in the archive's order, the `ids` the tests (and
 * the demo) name, and the first `count` documents of each kind a test looks for (`kinds`), so a
 * rebuild from newer archives still holds an example of every case. npm: the documents up to
 * NSWG-ECO-122 (the demo pins sequelize 3.23.5) and the other sequelize advisories, an invalid
 * CVSS vector, an upper-case package name and two documents sharing an alias. PyPI: the documents
 * the PEP 440 tests name, ranges with a non-PEP 440 event and listed versions that are not PEP
 * 440. crates.io: 60 documents in a row (the import tests copy that many), withdrawn ones and
 * CVSS v4.0 vectors. Go: pseudo-versions, +incompatible and the standard library.
 */
const KEEP = {
  npm: {
    first: 30,
    ids: [
      'NSWG-ECO-102',
      'NSWG-ECO-109',
      'NSWG-ECO-112',
      'NSWG-ECO-113',
      'NSWG-ECO-122',
      'NSWG-ECO-33',
      'NSWG-ECO-504',
      'NSWG-ECO-18',
      'NSWG-ECO-19',
    ],
    kinds: [['upper-case package name', 2, (d) => /[A-Z]/.test(firstName(d))]],
  },
  PyPI: {
    first: 8,
    ids: ['PYSEC-2021-114', 'PYSEC-2023-177', 'PYSEC-2023-61', 'PYSEC-2019-125', 'PYSEC-2021-371'],
    kinds: [
      [
        'listed version that is not PEP 440',
        4,
        (d) => d.affected?.some((a) => (a.versions ?? []).some((v) => !PEP440.test(v))),
      ],
      ['CVSS v3.0 vector', 3, (d) => vectors(d).some((v) => v.startsWith('CVSS:3.0/'))],
      ['CVSS v3.1 vector', 3, (d) => vectors(d).some((v) => v.startsWith('CVSS:3.1/'))],
      ['withdrawn', 2, (d) => Boolean(d.withdrawn)],
      ['package name with a hyphen', 3, (d) => firstName(d).includes('-')],
      ['long versions list', 6, (d) => (d.affected?.[0]?.versions ?? []).length >= 40],
    ],
  },
  Go: {
    first: 8,
    ids: [],
    kinds: [
      ['pseudo-version event', 12, (d) => eventValues(d).some((v) => /-\d{14}-[0-9a-f]{12}$/.test(v))],
      ['+incompatible event', 6, (d) => eventValues(d).some((v) => v.endsWith('+incompatible'))],
      ['standard library', 6, (d) => firstName(d) === 'stdlib'],
      ['withdrawn', 2, (d) => Boolean(d.withdrawn)],
    ],
  },
  'crates.io': {
    first: 60,
    ids: [],
    kinds: [
      ['withdrawn', 4, (d) => Boolean(d.withdrawn)],
      ['CVSS v4.0 vector', 12, (d) => (d.severity ?? []).some((s) => s.type === 'CVSS_V4')],
      ['CVSS v3.0 vector', 3, (d) => vectors(d).some((v) => v.startsWith('CVSS:3.0/'))],
      ['package name with a hyphen', 3, (d) => firstName(d).includes('-')],
    ],
  },
};

/** PEP 440's public version form (canonical or not), as its appendix gives it; case-insensitive. */
const PEP440 =
  /^\s*v?(?:(?:[0-9]+)!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$/i;

function readEntries(file) {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry) => {
        if (!entry.fileName.endsWith('.json')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks = [];
          stream.on('data', (c) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

function writeZip(file, entries) {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const { name, data } of entries) {
      // A local-time date: zip stores local time, so this gives the same bytes in every time zone.
      zip.addBuffer(data, name, {
        mtime: new Date(2000, 0, 1),
        mode: 0o100644,
        compress: true,
        forceDosTimestamp: true,
      });
    }
    zip.end();
    const out = fs.createWriteStream(file);
    zip.outputStream.pipe(out).on('finish', resolve).on('error', reject);
  });
}

for (const [ecosystem, keep] of Object.entries(KEEP)) {
  const entries = await readEntries(path.join(source, ecosystem, 'all.zip'));
  const docs = entries.map((e) => JSON.parse(e.data.toString('utf8')));
  const wanted = new Set(keep.ids.map((id) => `${id}.json`));
  const kept = new Set(entries.map((e, i) => (i < keep.first || wanted.has(e.name) ? i : -1)));
  for (const [kind, count, test] of keep.kinds) {
    const found = docs.flatMap((d, i) => (test(d) ? [i] : [])).slice(0, count);
    if (found.length === 0) throw new Error(`${ecosystem}: no document has a ${kind}`);
    for (const i of found) kept.add(i);
  }
  const chosen = entries.filter((e, i) => kept.has(i));
  const missing = [...wanted].filter((name) => !chosen.some((e) => e.name === name));
  if (missing.length > 0) throw new Error(`${ecosystem}: ${missing.join(', ')} not in the full archive`);
  fs.mkdirSync(path.join(target, ecosystem), { recursive: true });
  const file = path.join(target, ecosystem, 'all.zip');
  await writeZip(file, chosen);
  console.log(
    `${path.relative(root, file)}: ${chosen.length} of ${entries.length} documents, ${fs.statSync(file).size} bytes`,
  );
}
