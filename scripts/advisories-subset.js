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

/**
 * What each subset keeps. npm: every document up to NSWG-ECO-122 (the first High/Critical
 * advisory with a plain `introduced 0 → fixed` range, which the demo pins: sequelize 3.23.5)
 * and the other sequelize advisories. PyPI: the documents the PEP 440 tests name.
 */
const KEEP = {
  npm: {
    first: 30,
    ids: ['NSWG-ECO-102', 'NSWG-ECO-109', 'NSWG-ECO-112', 'NSWG-ECO-113', 'NSWG-ECO-122', 'NSWG-ECO-33'],
  },
  PyPI: { first: 8, ids: ['PYSEC-2021-114', 'PYSEC-2023-177', 'PYSEC-2023-61'] },
  Go: { first: 8, ids: [] },
  'crates.io': { first: 8, ids: [] },
};

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
  const wanted = new Set(keep.ids.map((id) => `${id}.json`));
  const chosen = entries.filter((e, i) => i < keep.first || wanted.has(e.name));
  const missing = [...wanted].filter((name) => !chosen.some((e) => e.name === name));
  if (missing.length > 0) throw new Error(`${ecosystem}: ${missing.join(', ')} not in the full archive`);
  fs.mkdirSync(path.join(target, ecosystem), { recursive: true });
  const file = path.join(target, ecosystem, 'all.zip');
  await writeZip(file, chosen);
  console.log(
    `${path.relative(root, file)}: ${chosen.length} of ${entries.length} documents, ${fs.statSync(file).size} bytes`,
  );
}
