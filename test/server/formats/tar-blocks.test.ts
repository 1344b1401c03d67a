import crypto from 'node:crypto';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import {
  ArchiveError,
  bufferArchiveSource,
  walkArchive,
  type ArchiveSource,
} from '../../../src/server/formats/archive.js';
import { realPackages } from '../../helpers/real-npm-packages.js';

/** What a walk saw: every entry with its kind, size and a digest of its content, or the problem. */
async function walked(source: ArchiveSource): Promise<string[] | string> {
  const seen: string[] = [];
  try {
    await walkArchive(source, async (e) => {
      const content =
        e.kind === 'file'
          ? crypto
              .createHash('sha1')
              .update(await e.read())
              .digest('hex')
          : '';
      seen.push(`${e.kind} ${e.path} ${e.size} ${content}`);
    });
  } catch (err) {
    if (err instanceof ArchiveError) return err.problem;
    throw err;
  }
  return seen;
}

/** The walk from memory (in one step) and the streamed walk must see the same. */
async function expectSameWalks(bytes: Buffer): Promise<string[] | string> {
  const inMemory = await walked(bufferArchiveSource(bytes));
  const { size, open } = bufferArchiveSource(bytes);
  expect(inMemory).toEqual(await walked({ size, open }));
  return inMemory;
}

/** A tar with what real archivers put in one: long names (ustar prefix, pax), links, directories. */
async function variedTar(): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  pack.entry({ name: 'package/', type: 'directory' });
  pack.entry({ name: 'package/package.json' }, '{"name":"varied","version":"1.0.0"}');
  pack.entry({ name: `package/${'deep/'.repeat(25)}file.js` }, 'nested');
  pack.entry({ name: `package/${'x'.repeat(120)}.js` }, 'long single name');
  pack.entry({ name: 'package/empty.txt' }, '');
  pack.entry({ name: 'package/link', type: 'symlink', linkname: 'empty.txt' });
  pack.entry({ name: 'package/block.bin' }, crypto.randomBytes(1536));
  pack.entry({ name: 'package/odd.bin' }, crypto.randomBytes(1000));
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe('walking a tar archive held in memory', () => {
  it('sees what the streamed walk sees in real npm tarballs', async () => {
    const packages = await realPackages();
    for (const pkg of packages.slice(0, 12)) {
      const seen = await expectSameWalks(pkg.tarball);
      expect(Array.isArray(seen) && seen.some((line) => line.startsWith('file package/package.json '))).toBe(
        true,
      );
    }
  });

  it('reads long names, links and directories as the streamed walk does', async () => {
    const bytes = await variedTar();
    const seen = await expectSameWalks(bytes);
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^directory package\/ 0 $/),
        expect.stringMatching(new RegExp(`^file package/(deep/){25}file\\.js 6 `)),
        expect.stringMatching(new RegExp(`^file package/x{120}\\.js 16 `)),
        expect.stringMatching(/^link package\/link 0 $/),
      ]),
    );
    await expectSameWalks(zlib.gzipSync(bytes));
  });

  it('fails where the streamed walk fails, wherever the archive is cut', async () => {
    const bytes = await variedTar();
    const problems = new Set<string>();
    for (let cut = 0; cut < bytes.length; cut += 97) {
      const seen = await expectSameWalks(bytes.subarray(0, cut));
      if (typeof seen === 'string') problems.add(seen);
    }
    expect(problems).toContain('truncated');
  });

  it('refuses a damaged header as the streamed walk does', async () => {
    const bytes = Buffer.from(await variedTar());
    // The second header's name changes under its checksum.
    const second = bytes.indexOf('package/package.json');
    bytes[second] = 'q'.charCodeAt(0);
    expect(await expectSameWalks(bytes)).toBe('not_archive');
  });
});
