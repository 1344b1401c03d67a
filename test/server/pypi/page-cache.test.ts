import type { IndexFile, ProjectFiles } from '../../../src/server/pypi/index.js';
import { LruCache, projectListTag, projectPageTag } from '../../../src/server/pypi/page-cache.js';

function file(overrides: Partial<IndexFile> = {}): IndexFile {
  return {
    packageId: 'p1',
    name: 'demo',
    version: '1.0',
    filename: 'demo-1.0-py3-none-any.whl',
    sha256: 'a'.repeat(64),
    md5: null,
    size: 10,
    kind: 'wheel',
    requiresPython: null,
    requiresDist: [],
    coreMetadataSha256: 'b'.repeat(64),
    yanked: false,
    summary: '',
    license: '',
    uploadedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const page = (...files: IndexFile[]): ProjectFiles => ({ name: 'demo', normalized: 'demo', files });

describe('the simple page cache', () => {
  it('keeps at most its limit, forgetting the entry used least recently', async () => {
    const cache = new LruCache<string>(10, (v) => v.length);
    let made = 0;
    const make = (v: string) => () => {
      made++;
      return v;
    };
    await cache.getOrMake('a', make('aaaa'));
    await cache.getOrMake('b', make('bbbb'));
    expect(await cache.getOrMake('a', make('other'))).toBe('aaaa');
    await cache.getOrMake('c', make('cccc'));
    expect(cache.size).toBe(2);
    expect(await cache.getOrMake('a', make('again'))).toBe('aaaa');
    expect(await cache.getOrMake('b', make('bbbb'))).toBe('bbbb');
    expect(made).toBe(4);
  });

  it('does not keep a value heavier than the whole limit', async () => {
    const cache = new LruCache<string>(3, (v) => v.length);
    expect(await cache.getOrMake('big', () => 'toolong')).toBe('toolong');
    expect(cache.size).toBe(0);
  });

  it('gives a page a new tag when anything it shows changes, and the same tag otherwise', () => {
    const base = projectPageTag(page(file()), 'html');
    expect(projectPageTag(page(file()), 'html')).toBe(base);
    expect(projectPageTag(page(file()), 'json')).not.toBe(base);
    for (const change of [
      { yanked: true },
      { yanked: 'broken' },
      { requiresPython: '>=3.9' },
      { sha256: 'c'.repeat(64) },
      { coreMetadataSha256: null },
      { size: 11 },
    ] satisfies Partial<IndexFile>[]) {
      expect(projectPageTag(page(file(change)), 'html')).not.toBe(base);
    }
    expect(projectPageTag(page(file(), file({ filename: 'demo-1.0.tar.gz' })), 'html')).not.toBe(base);
    expect(projectPageTag({ ...page(file()), name: 'Demo' }, 'html')).not.toBe(base);
  });

  it('tags the project list by its names', () => {
    const one = projectListTag([{ name: 'Demo', normalized: 'demo' }], 'html');
    expect(projectListTag([{ name: 'demo', normalized: 'demo' }], 'html')).not.toBe(one);
    expect(projectListTag([{ name: 'Demo', normalized: 'demo' }], 'json')).not.toBe(one);
  });
});
