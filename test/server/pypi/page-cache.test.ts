import { LruCache } from '../../../src/server/domain/document-cache.js';
import {
  projectListTag,
  projectPageTag,
  projectRevision,
  type PageIdentity,
} from '../../../src/server/pypi/page-cache.js';

const page = (overrides: Partial<PageIdentity> = {}): PageIdentity => ({
  form: 'html',
  revision: projectRevision([{ id: 'p1', yanked: false }]),
  upstreamRevision: null,
  hidden: [],
  ...overrides,
});

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

  it('gives a project revision that ignores order and changes with the files and their yanked state', () => {
    const a = { id: 'a', yanked: false };
    const b = { id: 'b', yanked: false };
    const base = projectRevision([a, b]);
    expect(projectRevision([b, a])).toBe(base);
    expect(projectRevision([a])).not.toBe(base);
    expect(projectRevision([a, { ...b, yanked: true }])).not.toBe(base);
    expect(projectRevision([a, b, { id: 'c', yanked: false }])).not.toBe(base);
    expect(projectRevision([])).not.toBe(projectRevision([a]));
  });

  it('gives a page a new tag when anything it is made of changes, and the same tag otherwise', () => {
    const base = projectPageTag(page());
    expect(projectPageTag(page())).toBe(base);
    for (const change of [
      { form: 'json' },
      { revision: projectRevision([{ id: 'p1', yanked: true }]) },
      { revision: projectRevision([{ id: 'p2', yanked: false }]) },
      { upstreamRevision: 'digest-1' },
      { hidden: ['1.0'] },
    ] satisfies Partial<PageIdentity>[]) {
      expect(projectPageTag(page(change))).not.toBe(base);
    }
    expect(projectPageTag(page({ upstreamRevision: 'digest-1' }))).not.toBe(
      projectPageTag(page({ upstreamRevision: 'digest-2' })),
    );
    expect(projectPageTag(page({ hidden: ['1.0', '2.0'] }))).toBe(
      projectPageTag(page({ hidden: ['2.0', '1.0'] })),
    );
  });

  it('tags the project list by its names', () => {
    const one = projectListTag([{ name: 'Demo', normalized: 'demo' }], 'html');
    expect(projectListTag([{ name: 'demo', normalized: 'demo' }], 'html')).not.toBe(one);
    expect(projectListTag([{ name: 'Demo', normalized: 'demo' }], 'json')).not.toBe(one);
  });
});
