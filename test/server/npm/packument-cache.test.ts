import { callApi } from '../../helpers/principals.js';
import { startReplicaOf, startTestServer, type TestServer } from '../../helpers/server.js';
import { createRepo } from '../../helpers/upload.js';
import { npmCall, publish } from './npm-helpers.js';

const ABBREVIATED = 'application/vnd.npm.install-v1+json';
const NAME = 'cached';

interface Doc {
  _rev?: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, { deprecated?: string }>;
}

// Two services over one database, as two replicas run: `reader` serves (and keeps) packuments,
// `writer` changes what they are made of, so nothing `reader` holds in memory learns of it.
let reader: TestServer;
let writer: TestServer;

beforeAll(async () => {
  reader = await startTestServer({}, { background: false });
  writer = await startReplicaOf(reader, { background: false });
  await createRepo(reader, 'dev');
  expect((await publish(writer, 'dev', NAME, '1.0.0')).status).toBe(201);
});

afterAll(async () => {
  await writer?.close();
  await reader?.close();
});

async function read(abbreviated: boolean): Promise<Doc> {
  const res = await npmCall<Doc>(
    reader,
    'dev',
    'GET',
    NAME,
    abbreviated ? { headers: { Accept: ABBREVIATED } } : {},
  );
  expect(res.status).toBe(200);
  return res.body;
}

/** Reads both forms twice (so both are served from memory), then applies `change` through the other replica. */
async function afterChange(change: () => Promise<void>): Promise<[Doc, Doc]> {
  for (let i = 0; i < 2; i++) await Promise.all([read(false), read(true)]);
  await change();
  return [await read(false), await read(true)];
}

describe('packuments kept in memory by one replica', () => {
  it('list a version another replica publishes on the next read', async () => {
    const docs = await afterChange(async () => {
      expect((await publish(writer, 'dev', NAME, '1.1.0')).status).toBe(201);
    });
    for (const doc of docs) {
      expect(Object.keys(doc.versions)).toEqual(['1.0.0', '1.1.0']);
      expect(doc['dist-tags'].latest).toBe('1.1.0');
    }
  });

  it('move a dist-tag another replica moves', async () => {
    const docs = await afterChange(async () => {
      const res = await npmCall(writer, 'dev', 'PUT', `-/package/${NAME}/dist-tags/latest`, {
        body: '1.0.0',
      });
      expect(res.status).toBe(200);
    });
    for (const doc of docs) expect(doc['dist-tags'].latest).toBe('1.0.0');
  });

  it('carry a deprecation another replica sets', async () => {
    const docs = await afterChange(async () => {
      const doc = (await npmCall<Doc>(writer, 'dev', 'GET', `${NAME}?write=true`)).body;
      doc.versions['1.0.0']!.deprecated = 'use 1.1.0';
      expect((await npmCall(writer, 'dev', 'PUT', NAME, { body: doc })).status).toBe(200);
    });
    for (const doc of docs) expect(doc.versions['1.0.0']!.deprecated).toBe('use 1.1.0');
  });

  it('leave out a version another replica unpublishes', async () => {
    const docs = await afterChange(async () => {
      const doc = (await npmCall<Doc>(writer, 'dev', 'GET', `${NAME}?write=true`)).body;
      delete doc.versions['1.1.0'];
      const res = await npmCall(writer, 'dev', 'PUT', `${NAME}/-rev/${doc._rev!}`, { body: doc });
      expect(res.status).toBe(200);
    });
    for (const doc of docs) expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
  });

  it('hide a version once another replica adds a deny policy, and refuse its tarball', async () => {
    expect((await publish(writer, 'dev', NAME, '1.2.0')).status).toBe(201);
    const docs = await afterChange(async () => {
      const policy = await callApi(writer.url, writer.adminKey, 'POST', '/orgs/acme/deny-policy/', {
        name: 'no 1.2.0',
        package_query_string: `name:^${NAME}$ AND version:1.2.0`,
      });
      expect(policy.status).toBe(201);
    });
    for (const doc of docs) expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
    const tarball = await npmCall(reader, 'dev', 'GET', `${NAME}/-/${NAME}-1.2.0.tgz`);
    expect(tarball.status).toBe(403);
  });

  it('serve the same document as the replica that made the change', async () => {
    for (const accept of [{}, { Accept: ABBREVIATED }] as Record<string, string>[]) {
      const here = await fetch(`${reader.url}/npm/acme/dev/${NAME}`, {
        headers: { ...accept, Authorization: `Bearer ${reader.adminKey}` },
      });
      const there = await fetch(`${writer.url}/npm/acme/dev/${NAME}`, {
        headers: { ...accept, Authorization: `Bearer ${reader.adminKey}` },
      });
      expect(here.headers.get('etag')).toBe(there.headers.get('etag'));
      // Each replica writes tarball URLs under its own address (one public URL in production).
      const hereText = (await here.text()).replaceAll(reader.url, 'BASE');
      expect(hereText).toContain('BASE/npm/acme/dev/');
      expect(hereText).toBe((await there.text()).replaceAll(writer.url, 'BASE'));
    }
  });
});
