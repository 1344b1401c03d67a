import { PAGE_PROPERTIES } from '../../src/api/paging.js';
import type { TestServer } from '../helpers/server.js';
import { api, createRepo, startServerOn, uploadPackage } from '../helpers/upload.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

describe('paging bounds on every list', () => {
  let server: TestServer;
  let lists: string[];

  beforeAll(async () => {
    server = await startServerOn('sqlite');
    await createRepo(server, 'paged');
    const made = await uploadPackage<{ slug_perm: string }>(
      server,
      'paged',
      'raw',
      Buffer.from('x'),
      'x.bin',
    );
    if (made.status !== 201) throw new Error(JSON.stringify(made.body));
    const hook = await api<{ slug_perm: string }>(server, 'POST', '/webhooks/acme/paged/', {
      target_url: 'http://127.0.0.1:9/hook',
      events: [{ event: 'package.created' }],
      templates: [],
    });
    lists = [
      '/repos/acme/',
      '/orgs/acme/services/',
      '/orgs/acme/teams/',
      '/orgs/acme/openid-connect/',
      '/orgs/acme/openid-connect/tokens/',
      '/packages/acme/paged/',
      `/packages/acme/paged/${made.body.slug_perm}/audit-log/`,
      '/audit-log/acme/',
      '/audit-log/acme/paged/',
      '/vulnerabilities/acme/',
      '/vulnerabilities/acme/paged/',
      '/orgs/acme/vulnerability-policy-violation/',
      '/orgs/acme/license-policy-violation/',
      '/webhooks/acme/paged/',
      ...(hook.status === 201 ? [`/webhooks/acme/paged/${hook.body.slug_perm}/deliveries/`] : []),
    ];
  }, 60_000);
  afterAll(async () => server.close());

  it('refuses a page number too large for any list with 422 naming page and its range', async () => {
    for (const list of lists) {
      const res = await api<ErrorBody>(server, 'GET', `${list}?page=99999999999999999999`);
      expect([list, res.status, res.body.code]).toEqual([list, 422, 'validation_failed']);
      expect(res.body.fields?.page?.join(' ')).toMatch(/<= 2147483647/);
    }
  });

  it('refuses page 0, negative and fractional pages, and page sizes outside 1–1000', async () => {
    for (const list of lists) {
      for (const [query, field] of [
        ['page=0', 'page'],
        ['page=-1', 'page'],
        ['page=1.5', 'page'],
        ['page=abc', 'page'],
        ['page_size=0', 'page_size'],
        ['page_size=1001', 'page_size'],
        ['page_size=99999999999999999999', 'page_size'],
      ] as const) {
        const res = await api<ErrorBody>(server, 'GET', `${list}?${query}`);
        expect([list, query, res.status]).toEqual([list, query, 422]);
        expect(res.body.fields).toHaveProperty(field);
      }
    }
  });

  it('answers a page past the last one with 404 Invalid page, as Cloudsmith does', async () => {
    for (const list of lists) {
      const res = await api<ErrorBody>(server, 'GET', `${list}?page=2147483647&page_size=1000`);
      expect([list, res.status, res.body.code]).toEqual([list, 404, 'not_found']);
      expect(res.body.detail).toMatch(/^Invalid page\. The last page is 1 at page_size 1000\./);
      expect(res.body.fields).toHaveProperty('page');
    }
  });

  it('still answers page 1 of every list, empty or not, with its paging headers', async () => {
    for (const list of lists) {
      const res = await api<unknown[]>(server, 'GET', `${list}?page=1&page_size=1000`);
      expect([list, res.status]).toEqual([list, 200]);
      expect(Array.isArray(res.body) || typeof res.body === 'object').toBe(true);
      expect(res.headers.get('x-pagination-page')).toBe('1');
      expect(res.headers.get('x-pagination-pagesize')).toBe('1000');
    }
  });

  it('describes the same page and page_size on every paged list of the API document', async () => {
    const doc = await api<{
      paths: Record<string, Record<string, { parameters?: { name: string; schema: unknown }[] }>>;
    }>(server, 'GET', '/openapi.json');
    const paged = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.parameters?.some((p) => p.name === 'page'))
        .map(([method, op]) => ({ at: `${method} ${path}`, params: op.parameters! })),
    );
    expect(paged.length).toBeGreaterThanOrEqual(lists.length - 1);
    for (const { at, params } of paged) {
      const schemaOf = (name: string): unknown => params.find((p) => p.name === name)?.schema;
      expect([at, schemaOf('page')]).toEqual([at, JSON.parse(JSON.stringify(PAGE_PROPERTIES.page))]);
      expect([at, schemaOf('page_size')]).toEqual([
        at,
        JSON.parse(JSON.stringify(PAGE_PROPERTIES.page_size)),
      ]);
    }
  });
});
