import crypto from 'node:crypto';
import { KEEP_IN_MEMORY_BYTES } from '../../../src/server/domain/publish.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { coreMetadata, makeZip, projectHeaders } from '../../fixtures/packages/archives.js';
import { createRepo } from '../upload-helpers.js';

// Past the bound of what a publish keeps in memory: the metadata is read back from the blob.
const PADDING_BYTES = KEEP_IN_MEMORY_BYTES + 1024 * 1024;

async function bigWheel(name: string, version: string): Promise<Buffer> {
  const info = `${name}-${version}.dist-info`;
  return makeZip([
    { name: `${name}/__init__.py`, content: '' },
    // Random bytes do not deflate, so the wheel stays past the bound.
    { name: `${name}/data.bin`, content: crypto.randomBytes(PADDING_BYTES) },
    { name: `${info}/METADATA`, content: coreMetadata(projectHeaders(name, version)) },
    { name: `${info}/WHEEL`, content: 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    { name: `${info}/RECORD`, content: '' },
  ]);
}

describe('an upload larger than what a publish keeps in memory', () => {
  let server: TestServer;
  let wheel: Buffer;

  beforeAll(async () => {
    server = await startTestServer({ limits: { uploadBytes: 2 * PADDING_BYTES } }, { background: false });
    await createRepo(server.ctx.db, 'acme', 'big');
    wheel = await bigWheel('bigpkg', '1.0');
  });
  afterAll(async () => server.close());

  async function upload(filename: string): Promise<Response> {
    const form = new FormData();
    form.append(':action', 'file_upload');
    form.append('protocol_version', '1');
    form.append('sha256_digest', crypto.createHash('sha256').update(wheel).digest('hex'));
    form.append('content', new Blob([wheel]), filename);
    return fetch(`${server.url}/pypi/acme/big/`, {
      method: 'POST',
      body: form,
      headers: { Authorization: `Basic ${Buffer.from(`__token__:${server.adminKey}`).toString('base64')}` },
    });
  }

  it('refuses it when its file name and METADATA disagree, reading the metadata from the stored bytes', async () => {
    expect(wheel.length).toBeGreaterThan(KEEP_IN_MEMORY_BYTES);
    const res = await upload('otherpkg-1.0-py3-none-any.whl');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: expect.stringMatching(/'otherpkg'.*'bigpkg'/) });
  });

  it('stores it as a package named by its METADATA', async () => {
    const res = await upload('bigpkg-1.0-py3-none-any.whl');
    expect(res.status).toBe(200);
    const page = await fetch(`${server.url}/pypi/acme/big/simple/bigpkg/`, {
      headers: {
        Authorization: `Basic ${Buffer.from(`__token__:${server.adminKey}`).toString('base64')}`,
      },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('bigpkg-1.0-py3-none-any.whl');
  });
});
