import crypto from 'node:crypto';
import {
  ArchiveError,
  bufferArchiveSource,
  DEFAULT_ARCHIVE_LIMITS,
  sniffArchive,
  walkArchive,
  type ArchiveEntry,
  type ArchiveLimits,
  type ArchiveSource,
} from '../../../src/server/formats/archive.js';
import { makeTar, makeZip, type ArchiveFile } from '../../fixtures/packages/archives.js';

const FILES: ArchiveFile[] = [
  { name: 'pkg/', content: null },
  { name: 'pkg/a.txt', content: 'alpha' },
  { name: 'pkg/b/c.txt', content: 'gamma' },
];

/** How the walks below get their bytes: from memory (gzip decompressed in one step) or streamed. */
let sourceOf: (bytes: Buffer) => ArchiveSource = bufferArchiveSource;

/** The same bytes without the in-memory copy: a walk must stream them, as it does a blob. */
function streamedSource(bytes: Buffer): ArchiveSource {
  const { size, open } = bufferArchiveSource(bytes);
  return { size, open };
}

async function walkAll(bytes: Buffer, limits?: Partial<ArchiveLimits>): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  await walkArchive(
    sourceOf(bytes),
    async (e: ArchiveEntry) => {
      if (e.kind === 'file') seen[e.path] = (await e.read()).toString('utf8');
    },
    { ...DEFAULT_ARCHIVE_LIMITS, ...limits },
  );
  return seen;
}

async function problemOf(bytes: Buffer, limits?: Partial<ArchiveLimits>): Promise<string> {
  try {
    await walkAll(bytes, limits);
  } catch (err) {
    if (err instanceof ArchiveError) return err.problem;
    throw err;
  }
  return 'none';
}

describe.each([
  ['in memory', bufferArchiveSource],
  ['streamed', streamedSource],
])('bounded archive walking (%s)', (_how, source) => {
  beforeAll(() => (sourceOf = source));
  afterAll(() => (sourceOf = bufferArchiveSource));

  it.each([
    ['tar.gz', () => makeTar(FILES)],
    ['tar', () => makeTar(FILES, false)],
    ['zip', () => makeZip(FILES)],
  ])('reads every file of a %s archive in order', async (kind, make) => {
    const bytes = await make();
    expect(await sniffArchive(bufferArchiveSource(bytes))).toBe(kind);
    expect(await walkAll(bytes)).toEqual({ 'pkg/a.txt': 'alpha', 'pkg/b/c.txt': 'gamma' });
  });

  it('reports bytes that are no archive at all as not_archive', async () => {
    expect(await problemOf(Buffer.from('just some text, long enough to sniff'))).toBe('not_archive');
    expect(await problemOf(Buffer.alloc(0))).toBe('not_archive');
  });

  it('reports gzip data that holds no tar archive as not_archive', async () => {
    const { gzipSync } = await import('node:zlib');
    expect(await problemOf(gzipSync(Buffer.from('x'.repeat(2000))))).toBe('not_archive');
  });

  it('reports a cut-off tar.gz as truncated even when the wanted entry came first', async () => {
    const big = crypto.randomBytes(64 * 1024);
    const bytes = await makeTar([
      { name: 'pkg/a.txt', content: 'alpha' },
      { name: 'pkg/big.bin', content: big },
    ]);
    expect(await problemOf(bytes.subarray(0, Math.floor(bytes.length * 0.7)))).toBe('truncated');
  });

  it('reports a cut-off zip as truncated', async () => {
    const bytes = await makeZip([{ name: 'a.bin', content: crypto.randomBytes(10_000) }]);
    expect(await problemOf(bytes.subarray(0, bytes.length - 30))).toBe('truncated');
  });

  it('refuses archives with more entries than allowed', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, content: 'x' }));
    expect(await problemOf(await makeTar(many), { maxEntries: 10 })).toBe('too_many_entries');
    expect(await problemOf(await makeZip(many), { maxEntries: 10 })).toBe('too_many_entries');
  });

  it('refuses archives that expand far beyond their compressed size', async () => {
    const zeros = [{ name: 'zeros.bin', content: Buffer.alloc(8 * 1024 * 1024) }];
    const limits = { maxRatio: 50, ratioFloorBytes: 1024 * 1024 };
    expect(await problemOf(await makeTar(zeros), limits)).toBe('ratio');
    expect(await problemOf(await makeZip(zeros), limits)).toBe('ratio');
  });

  it('refuses archives that expand past the total size limit', async () => {
    const data = [{ name: 'r.bin', content: crypto.randomBytes(300 * 1024) }];
    expect(await problemOf(await makeTar(data), { maxTotalBytes: 200 * 1024 })).toBe('too_large');
    expect(await problemOf(await makeZip(data), { maxTotalBytes: 200 * 1024 })).toBe('too_large');
  });

  it('refuses to read an entry larger than the entry limit into memory', async () => {
    const data = [{ name: 'r.bin', content: crypto.randomBytes(40 * 1024) }];
    expect(await problemOf(await makeTar(data), { maxEntryBytes: 16 * 1024 })).toBe('too_large');
    expect(await problemOf(await makeZip(data), { maxEntryBytes: 16 * 1024 })).toBe('too_large');
  });

  it('stops early when the visitor says so', async () => {
    for (const bytes of [await makeTar(FILES), await makeZip(FILES)]) {
      const seen: string[] = [];
      await walkArchive(bufferArchiveSource(bytes), (e) => {
        seen.push(e.path);
        return e.path === 'pkg/a.txt' ? 'stop' : undefined;
      });
      expect(seen).toEqual(['pkg/', 'pkg/a.txt']);
    }
  });

  it("passes the visitor's own errors through unchanged", async () => {
    const mine = new Error('visitor says no');
    for (const bytes of [await makeTar(FILES), await makeZip(FILES)]) {
      await expect(
        walkArchive(bufferArchiveSource(bytes), () => {
          throw mine;
        }),
      ).rejects.toBe(mine);
    }
  });
});
