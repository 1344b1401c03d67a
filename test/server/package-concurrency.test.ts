import type { Package } from '../../src/api/packages.js';
import type { TestServer } from '../helpers/server.js';
import { api, BACKENDS, createRepo, sendFile, startServerOn, uploadPackage } from '../helpers/upload.js';
import { npmTarball } from '../fixtures/packages/archives.js';

describe.each(BACKENDS)('packages under concurrent requests on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServerOn(backend);
    for (const repo of ['dev', 'staging', 'prod']) await createRepo(server, repo);
  }, 60_000);
  afterAll(async () => server.close());

  it('keeps every one of 50 concurrent uploads of distinct versions, with exactly one holding latest', async () => {
    const versions = Array.from({ length: 50 }, (_, i) => `1.0.${i}`);
    const results = await Promise.all(
      versions.map(async (version) =>
        uploadPackage<Package>(
          server,
          'dev',
          'npm',
          await npmTarball({ name: 'busy', version }),
          `busy-${version}.tgz`,
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(versions.map(() => 201));
    const list = await api<Package[]>(server, 'GET', '/packages/acme/dev/?page_size=100&query=name:busy');
    expect(list.body.map((p) => p.version).sort()).toEqual([...versions].sort());
    expect(list.headers.get('x-pagination-count')).toBe('50');
    expect(list.body.filter((p) => p.tags.version?.includes('latest'))).toHaveLength(1);
  });

  it('lets exactly one of two concurrent creates of the same version win', async () => {
    const ids = await Promise.all(
      ['a', 'b'].map((v) => sendFile(server, 'dev', Buffer.from(`same version ${v}`), 'same.txt')),
    );
    const results = await Promise.all(
      ids.map((id) =>
        api(server, 'POST', '/packages/acme/dev/upload/raw/', {
          package_file: id,
          name: 'same',
          version: '9',
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const list = await api<Package[]>(server, 'GET', '/packages/acme/dev/?query=name:^same$');
    expect(list.body).toHaveLength(1);
  });

  it('lets exactly one of two concurrent moves win; the other gets 409 and the package exists once', async () => {
    for (let round = 0; round < 5; round++) {
      const created = await uploadPackage<Package>(
        server,
        'dev',
        'raw',
        Buffer.from(`mv ${round}`),
        `mv${round}.bin`,
        {
          name: 'moving',
          version: `${round}`,
        },
      );
      const id = created.body.slug_perm;
      const results = await Promise.all(
        ['staging', 'prod'].map((destination) =>
          api(server, 'POST', `/packages/acme/dev/${id}/move/`, { destination }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body).toMatchObject({ code: 'conflict', detail: expect.stringMatching(/moved/) });
      const winner = results.find((r) => r.status === 200)!.body as Package;
      const live = await server.ctx.db
        .selectFrom('packages')
        .innerJoin('repos', 'repos.id', 'packages.repo_id')
        .select(['repos.slug'])
        .where('packages.id', '=', id)
        .where('packages.deleted_at', 'is', null)
        .execute();
      expect(live).toEqual([{ slug: winner.repository }]);
      expect((await api(server, 'GET', `/packages/acme/dev/${id}/`)).status).toBe(404);
      expect((await api(server, 'GET', `/packages/acme/${winner.repository}/${id}/`)).status).toBe(200);
    }
  });
});
