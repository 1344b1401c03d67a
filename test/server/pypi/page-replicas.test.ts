import crypto from 'node:crypto';
import { callApi } from '../../helpers/principals.js';
import { startReplicaOf, startTestServer, type TestServer } from '../../helpers/server.js';
import { createRepo } from '../../helpers/upload.js';
import { coreMetadata, projectHeaders, wheel } from '../../fixtures/packages/archives.js';

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const PROJECT = 'cached-page';
const DIST = 'cached_page';

interface JsonPage {
  files: { filename: string; yanked: boolean | string }[];
}

// Two services over one database, as two replicas run: `reader` serves (and keeps) simple pages,
// `writer` changes what they are made of, so nothing `reader` holds in memory learns of it.
let reader: TestServer;
let writer: TestServer;

const basic = (key: string) => `Basic ${Buffer.from(`__token__:${key}`).toString('base64')}`;
const filename = (version: string) => `${DIST}-${version}-py3-none-any.whl`;

/** Uploads a wheel of PROJECT through `server` as twine does; returns its package's slug_perm. */
async function upload(server: TestServer, version: string): Promise<string> {
  const bytes = await wheel(DIST, version, coreMetadata(projectHeaders(PROJECT, version)));
  const form = new FormData();
  const fields = {
    ':action': 'file_upload',
    protocol_version: '1',
    metadata_version: '2.4',
    name: PROJECT,
    version,
    filetype: 'bdist_wheel',
    pyversion: 'py3',
    sha256_digest: crypto.createHash('sha256').update(bytes).digest('hex'),
  };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('content', new Blob([bytes]), filename(version));
  const res = await fetch(`${server.url}/pypi/acme/dev/`, {
    method: 'POST',
    body: form,
    headers: { Authorization: basic(server.adminKey) },
  });
  expect(res.status).toBe(200);
  const found = await callApi<{ slug_perm: string; filename: string }[]>(
    server.url,
    server.adminKey,
    'GET',
    `/packages/acme/dev/?query=${encodeURIComponent(`filename:${filename(version)}`)}`,
  );
  return found.body.find((p) => p.filename === filename(version))!.slug_perm;
}

function page(server: TestServer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/pypi/acme/dev/simple/${PROJECT}/`, {
    headers: { Authorization: basic(server.adminKey), ...headers },
  });
}

/** Both forms as `reader` serves them now: the HTML text and the JSON page. */
async function read(): Promise<{ html: string; json: JsonPage; tags: string[] }> {
  const html = await page(reader);
  const json = await page(reader, { Accept: SIMPLE_JSON });
  expect([html.status, json.status]).toEqual([200, 200]);
  return {
    html: await html.text(),
    json: (await json.json()) as JsonPage,
    tags: [html.headers.get('etag')!, json.headers.get('etag')!],
  };
}

/** Reads both forms twice (so both are served from memory), applies `change` through the other replica, reads again. */
async function afterChange(change: () => Promise<void>): Promise<{ html: string; json: JsonPage }> {
  await read();
  const before = await read();
  await change();
  const after = await read();
  // The tags `reader` gave before no longer match: pip's revalidation gets the new page, not a 304.
  for (const [i, tag] of before.tags.entries()) {
    expect(after.tags[i]).not.toBe(tag);
    const again = await page(reader, { 'If-None-Match': tag, ...(i === 1 ? { Accept: SIMPLE_JSON } : {}) });
    expect(again.status).toBe(200);
    await again.arrayBuffer();
  }
  return after;
}

const listed = (json: JsonPage) => json.files.map((f) => f.filename).sort();

beforeAll(async () => {
  reader = await startTestServer({}, { background: false });
  writer = await startReplicaOf(reader, { background: false });
  await createRepo(reader, 'dev');
  await upload(writer, '1.0');
});

afterAll(async () => {
  await writer?.close();
  await reader?.close();
});

describe('simple pages kept in memory by one replica', () => {
  let v11 = '';

  it('list a file another replica uploads on the next read', async () => {
    const after = await afterChange(async () => {
      v11 = await upload(writer, '1.1');
    });
    expect(listed(after.json)).toEqual([filename('1.0'), filename('1.1')]);
    expect(after.html).toContain(`${filename('1.1')}#sha256=`);
  });

  it('mark a file yanked once another replica yanks it', async () => {
    const after = await afterChange(async () => {
      const res = await callApi(writer.url, writer.adminKey, 'POST', `/packages/acme/dev/${v11}/tag/`, {
        action: 'add',
        tags: ['yanked'],
      });
      expect(res.status).toBe(200);
    });
    expect(after.json.files.find((f) => f.filename === filename('1.1'))!.yanked).toBe(true);
    expect(after.html).toMatch(new RegExp(`${filename('1.1')}#sha256=[0-9a-f]+" [^>]*data-yanked=""`));
  });

  it('leave out a version once another replica adds a deny policy that blocks it', async () => {
    const after = await afterChange(async () => {
      const policy = await callApi(writer.url, writer.adminKey, 'POST', '/orgs/acme/deny-policy/', {
        name: 'no 1.0',
        package_query_string: `name:^${PROJECT}$ AND version:1.0`,
      });
      expect(policy.status).toBe(201);
    });
    expect(listed(after.json)).toEqual([filename('1.1')]);
    expect(after.html).not.toContain(filename('1.0'));
    const download = await fetch(`${reader.url}/pypi/acme/dev/files/${filename('1.0')}`, {
      headers: { Authorization: basic(reader.adminKey) },
    });
    expect(download.status).toBe(403);
  });

  it('leave out a file another replica quarantines', async () => {
    await upload(writer, '1.2');
    const after = await afterChange(async () => {
      const found = await callApi<{ slug_perm: string; filename: string }[]>(
        writer.url,
        writer.adminKey,
        'GET',
        `/packages/acme/dev/?query=${encodeURIComponent(`filename:${filename('1.2')}`)}`,
      );
      const id = found.body.find((p) => p.filename === filename('1.2'))!.slug_perm;
      const res = await callApi(
        writer.url,
        writer.adminKey,
        'POST',
        `/packages/acme/dev/${id}/quarantine/`,
        {},
      );
      expect(res.status).toBe(200);
    });
    expect(listed(after.json)).toEqual([filename('1.1')]);
  });

  it('serve the same page under the same tag as the replica that made the changes', async () => {
    for (const accept of [{}, { Accept: SIMPLE_JSON }] as Record<string, string>[]) {
      const here = await page(reader, accept);
      const there = await page(writer, accept);
      expect(here.headers.get('etag')).toBe(there.headers.get('etag'));
      expect(await here.text()).toBe(await there.text());
    }
  });
});
