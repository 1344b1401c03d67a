import { callApi } from '../../helpers/principals.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createRepo } from '../../helpers/upload.js';
import { npmCall, publish } from './npm-helpers.js';

const ABBREVIATED = 'application/vnd.npm.install-v1+json';
const NAME = 'etagged';

let server: TestServer;

interface Doc {
  _rev?: string;
  versions: Record<string, Record<string, unknown>>;
}

beforeAll(async () => {
  server = await startTestServer({}, { background: false });
  await createRepo(server, 'dev');
  for (const v of ['1.0.0', '1.1.0']) expect((await publish(server, 'dev', NAME, v)).status).toBe(201);
});

afterAll(async () => {
  await server?.close();
});

/** The ETag of the packument in the given form. */
async function etagOf(abbreviated: boolean): Promise<string> {
  const res = await npmCall(
    server,
    'dev',
    'GET',
    NAME,
    abbreviated ? { headers: { Accept: ABBREVIATED } } : {},
  );
  expect(res.status).toBe(200);
  const etag = res.headers.get('etag');
  expect(etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
  return etag!;
}

/** Both forms' ETags, each checked to answer 304 to itself. */
async function etags(): Promise<[string, string]> {
  const pair: [string, string] = [await etagOf(false), await etagOf(true)];
  for (const [i, etag] of pair.entries()) {
    const headers: Record<string, string> = { 'If-None-Match': etag };
    if (i === 1) headers.Accept = ABBREVIATED;
    const res = await npmCall(server, 'dev', 'GET', NAME, { headers });
    expect(res.status).toBe(304);
    expect(res.body).toBe('');
  }
  return pair;
}

/** Asserts that `change` gives both forms new ETags, and that the old ones no longer answer 304. */
async function expectChangedBy(change: () => Promise<void>): Promise<void> {
  const before = await etags();
  await change();
  const after = await etags();
  expect(after[0]).not.toBe(before[0]);
  expect(after[1]).not.toBe(before[1]);
  const stale = await npmCall(server, 'dev', 'GET', NAME, { headers: { 'If-None-Match': before[0] } });
  expect(stale.status).toBe(200);
  expect(stale.headers.get('etag')).toBe(after[0]);
}

describe('ETags of the registry’s own packuments', () => {
  it('gives the full and the abbreviated form different ETags, stable while nothing changes', async () => {
    const [full, abbreviated] = await etags();
    expect(full).not.toBe(abbreviated);
    expect(await etagOf(false)).toBe(full);
    expect(await etagOf(true)).toBe(abbreviated);
  });

  it('answers 304 to a weak or listed If-None-Match, and 200 with the body to any other', async () => {
    const etag = await etagOf(true);
    for (const header of [`W/${etag}`, `"other", ${etag}`]) {
      const res = await npmCall(server, 'dev', 'GET', NAME, {
        headers: { Accept: ABBREVIATED, 'If-None-Match': header },
      });
      expect(res.status).toBe(304);
    }
    const other = await npmCall<Doc>(server, 'dev', 'GET', NAME, {
      headers: { Accept: ABBREVIATED, 'If-None-Match': '"something-else"' },
    });
    expect(other.status).toBe(200);
    expect(Object.keys(other.body.versions)).toEqual(['1.0.0', '1.1.0']);
  });

  it('changes on a publish', async () => {
    await expectChangedBy(async () => {
      expect((await publish(server, 'dev', NAME, '1.2.0')).status).toBe(201);
    });
  });

  it('changes when a dist-tag is added or moved', async () => {
    await expectChangedBy(async () => {
      const res = await npmCall(server, 'dev', 'PUT', `-/package/${NAME}/dist-tags/stable`, {
        body: '1.0.0',
      });
      expect(res.status).toBe(200);
    });
    await expectChangedBy(async () => {
      const res = await npmCall(server, 'dev', 'PUT', `-/package/${NAME}/dist-tags/stable`, {
        body: '1.1.0',
      });
      expect(res.status).toBe(200);
    });
  });

  it('changes when a version is deprecated', async () => {
    await expectChangedBy(async () => {
      const doc = (await npmCall<Doc>(server, 'dev', 'GET', `${NAME}?write=true`)).body;
      doc.versions['1.0.0']!.deprecated = 'use 1.2.0';
      expect((await npmCall(server, 'dev', 'PUT', NAME, { body: doc })).status).toBe(200);
    });
  });

  it('changes when a version is unpublished', async () => {
    await expectChangedBy(async () => {
      const doc = (await npmCall<Doc>(server, 'dev', 'GET', `${NAME}?write=true`)).body;
      delete doc.versions['1.2.0'];
      const res = await npmCall(server, 'dev', 'PUT', `${NAME}/-rev/${doc._rev!}`, { body: doc });
      expect(res.status).toBe(200);
    });
  });

  it('changes when the firewall hides a version', async () => {
    await expectChangedBy(async () => {
      const policy = await callApi(server.url, server.adminKey, 'POST', '/orgs/acme/deny-policy/', {
        name: 'no 1.1.0',
        package_query_string: `name:^${NAME}$ AND version:1.1.0`,
      });
      expect(policy.status).toBe(201);
    });
    const doc = await npmCall<Doc>(server, 'dev', 'GET', NAME, { headers: { Accept: ABBREVIATED } });
    expect(Object.keys(doc.body.versions)).toEqual(['1.0.0']);
  });
});
