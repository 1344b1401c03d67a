import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';

/** One OSV document as read from an archive or folder, not yet parsed. */
export interface OsvSourceDocument {
  /** The entry's path inside the archive, or the file's path. */
  file: string;
  text: string;
}

/** A JSON document larger than this is not an advisory; refusing it bounds memory per entry. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

/** Reads the `.json` entries of a zip archive one at a time (the archive is never unpacked whole). */
export async function* readOsvZip(file: string): AsyncGenerator<OsvSourceDocument> {
  const zip = await openZip(file);
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (entry.fileName.endsWith('/') || !entry.fileName.toLowerCase().endsWith('.json')) continue;
      if (entry.uncompressedSize > MAX_DOCUMENT_BYTES) {
        throw new Error(
          `${file}: entry ${entry.fileName} is ${entry.uncompressedSize} bytes, too large for an advisory.`,
        );
      }
      yield { file: entry.fileName, text: await readEntry(zip, entry) };
    }
  } finally {
    zip.close();
  }
}

function listJsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) out.push(...listJsonFiles(full));
    else if (dirent.isFile() && dirent.name.toLowerCase().endsWith('.json')) out.push(full);
  }
  return out.sort();
}

/**
 * Reads OSV documents from a zip archive (an ecosystem's `all.zip`), a folder of `.json` files
 * (searched recursively) or a single `.json` file. Throws when the path is none of those.
 */
export async function* readOsvDocuments(source: string): AsyncGenerator<OsvSourceDocument> {
  const stat = fs.statSync(source, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${source}: no such file or folder.`);
  if (stat.isDirectory()) {
    for (const file of listJsonFiles(source)) {
      yield { file: path.relative(source, file), text: await fs.promises.readFile(file, 'utf8') };
    }
  } else if (source.toLowerCase().endsWith('.zip')) {
    yield* readOsvZip(source);
  } else if (source.toLowerCase().endsWith('.json')) {
    yield { file: path.basename(source), text: await fs.promises.readFile(source, 'utf8') };
  } else {
    throw new Error(`${source}: expected a .zip archive, a folder of OSV .json files or a .json file.`);
  }
}
