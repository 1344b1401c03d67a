import type { Package } from '../../src/api/packages.js';
import type { TestServer } from '../helpers/server.js';
import { api, BACKENDS, createRepo, startServerOn, uploadPackage } from '../helpers/upload.js';
import { coreMetadata, npmTarball, projectHeaders, wheel } from '../fixtures/packages/archives.js';

describe.each(BACKENDS)('package listing and search on %s', (backend) => {
  let server: TestServer;
  const made: Record<string, Package> = {};

  beforeAll(async () => {
    server = await startServerOn(backend);
    await createRepo(server, 'catalog');
    const raw = async (key: string, name: string, version: string, filename: string, tags?: string) => {
      const res = await uploadPackage<Package>(
        server,
        'catalog',
        'raw',
        Buffer.from(`${key} bytes`),
        filename,
        {
          name,
          version,
          ...(tags ? { tags } : {}),
        },
      );
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      made[key] = res.body;
    };
    // Created one after another, so upload dates order them as listed here.
    await raw('alpha1', 'alpha', '1.0', 'alpha-1.0.bin', 'qa');
    await raw('alpha2', 'alpha', '2.0', 'alpha-2.0.bin', 'prod,qa-passed');
    await raw('beta', 'beta', '1.0', 'beta-1.0.bin');
    const npm = await uploadPackage<Package>(
      server,
      'catalog',
      'npm',
      await npmTarball({ name: 'gamma-lib', version: '1.0.0' }),
      'gamma-lib-1.0.0.tgz',
    );
    made.gamma = npm.body;
    const py = await uploadPackage<Package>(
      server,
      'catalog',
      'python',
      await wheel('delta_py', '0.1', coreMetadata(projectHeaders('Delta_Py', '0.1'))),
      'delta_py-0.1-py3-none-any.whl',
    );
    made.delta = py.body;
    const q = await api(server, 'POST', `/packages/acme/catalog/${made.beta!.slug_perm}/quarantine/`, {});
    if (q.status !== 200) throw new Error(JSON.stringify(q.body));
  }, 60_000);
  afterAll(async () => server.close());

  async function search(query: string, extra = ''): Promise<string[]> {
    const res = await api<Package[]>(
      server,
      'GET',
      `/packages/acme/catalog/?query=${encodeURIComponent(query)}${extra}`,
    );
    if (res.status !== 200) throw new Error(`${query}: ${res.status} ${JSON.stringify(res.body)}`);
    const byId = new Map(Object.entries(made).map(([k, p]) => [p.slug_perm, k]));
    return res.body.map((p) => byId.get(p.slug_perm) ?? p.slug_perm).sort();
  }

  it('lists newest first as a bare array with paging headers and links', async () => {
    const first = await api<Package[]>(server, 'GET', '/packages/acme/catalog/?page_size=2');
    expect(first.status).toBe(200);
    expect(Array.isArray(first.body)).toBe(true);
    expect(first.body.map((p) => p.slug_perm)).toEqual([made.delta!.slug_perm, made.gamma!.slug_perm]);
    expect(first.headers.get('x-pagination-count')).toBe('5');
    expect(first.headers.get('x-pagination-page')).toBe('1');
    expect(first.headers.get('x-pagination-pagesize')).toBe('2');
    expect(first.headers.get('x-pagination-pagetotal')).toBe('3');
    const link = first.headers.get('link') ?? '';
    expect(link).toContain('rel="next"');
    expect(link).toContain('page=3');
    const pages = [first.body];
    for (const page of [2, 3]) {
      pages.push(
        (await api<Package[]>(server, 'GET', `/packages/acme/catalog/?page_size=2&page=${page}`)).body,
      );
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flat().map((p) => p.slug_perm)).size).toBe(5);
  });

  it('sorts by other fields on request and refuses unknown ones', async () => {
    const byName = await api<Package[]>(server, 'GET', '/packages/acme/catalog/?sort=name,-version');
    expect(byName.body.map((p) => `${p.name} ${p.version}`)).toEqual([
      'alpha 2.0',
      'alpha 1.0',
      'beta 1.0',
      'Delta_Py 0.1',
      'gamma-lib 1.0.0',
    ]);
    const bad = await api(server, 'GET', '/packages/acme/catalog/?sort=colour');
    expect(bad).toMatchObject({ status: 422, body: { fields: { sort: [expect.stringMatching(/colour/)] } } });
  });

  it.each([
    ['name:alpha', ['alpha1', 'alpha2']],
    ['alpha', ['alpha1', 'alpha2']],
    ['name:^delta', ['delta']],
    ['name:^gamma-lib$', ['gamma']],
    ['name:*ta*', ['beta', 'delta']],
    ['version:1.0', ['alpha1', 'beta']],
    ['version:1.*', ['alpha1', 'beta', 'gamma']],
    ['format:npm', ['gamma']],
    ['format:PYTHON', ['delta']],
    ['tag:qa', ['alpha1']],
    ['tag:qa*', ['alpha1', 'alpha2']],
    ['tag:latest', ['gamma']],
    ['status:quarantined', ['beta']],
    ['status:completed', ['alpha1', 'alpha2', 'delta', 'gamma']],
    ['filename:.whl$', ['delta']],
    ['filename:alpha', ['alpha1', 'alpha2']],
    ['~format:raw', ['delta', 'gamma']],
    ['NOT name:alpha', ['beta', 'delta', 'gamma']],
    ['name:alpha version:2.0', ['alpha2']],
    ['name:alpha AND ~tag:prod', ['alpha1']],
    ['format:npm OR format:python', ['delta', 'gamma']],
    ['name:"alpha"', ['alpha1', 'alpha2']],
    ['name:50%_off', []],
  ])('finds %p', async (query, expected) => {
    expect(await search(query)).toEqual(expected);
  });

  it('finds a package by any of its checksums', async () => {
    const beta = made.beta!;
    for (const sum of [beta.checksum_sha256, beta.checksum_md5!, beta.checksum_sha1!.toUpperCase()]) {
      expect(await search(`checksum:${sum}`)).toEqual(['beta']);
    }
    expect(await search(`checksum:${'0'.repeat(64)}`)).toEqual([]);
  });

  it('counts only the matches in the paging headers', async () => {
    const res = await api(server, 'GET', `/packages/acme/catalog/?query=${encodeURIComponent('name:alpha')}`);
    expect(res.headers.get('x-pagination-count')).toBe('2');
  });

  it.each([
    ['colour:red', /unknown field 'colour'/],
    ['status:sleeping', /not a status/],
    ['name:', /no value/],
    ['OR name:x', /between two terms/],
    ['name:x NOT', /before a term/],
  ])('refuses the query %p naming the problem', async (query, message) => {
    const res = await api(server, 'GET', `/packages/acme/catalog/?query=${encodeURIComponent(query)}`);
    expect(res).toMatchObject({ status: 422, body: { fields: { query: [expect.stringMatching(message)] } } });
  });

  it('leaves deleted packages out', async () => {
    const res = await uploadPackage<Package>(server, 'catalog', 'raw', Buffer.from('bye'), 'gone.txt', {
      name: 'gone',
    });
    expect(await search('name:gone')).toEqual([res.body.slug_perm]);
    expect((await api(server, 'DELETE', `/packages/acme/catalog/${res.body.slug_perm}/`)).status).toBe(204);
    expect(await search('name:gone')).toEqual([]);
  });
});
