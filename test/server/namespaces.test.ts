import type { Repository } from '../../src/api/repos.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, createAccount, createRepo } from '../helpers/upload.js';

describe('namespaces', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await createRepo(server, 'dev');
  });
  afterAll(async () => server.close());

  it('answers at the namespace_url every repository and package points at', async () => {
    const repo = await api<Repository>(server, 'GET', '/repos/acme/dev/');
    const url = new URL(repo.body.namespace_url);
    for (const path of [url.pathname, `/v1${url.pathname}`]) {
      const res = await api(server, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ slug: 'acme', type_name: 'Organization' });
    }
  });

  it('shows a namespace to its own accounts only', async () => {
    const member = await createAccount(server, 'member', {});
    expect((await api(server, 'GET', '/namespaces/acme/', undefined, member)).status).toBe(200);
    expect((await api(server, 'GET', '/namespaces/acme/', undefined, null)).status).toBe(401);
    expect((await api(server, 'GET', '/namespaces/nobody/')).status).toBe(404);
  });
});
