import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RepositoryClient } from '../../src/client/client.js';
import { ApiError } from '../../src/client/errors.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('RepositoryClient against the real service', () => {
  let server: TestServer;
  let client: RepositoryClient;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    dir = tempDir();
    for (const name of ['dev', 'prod']) {
      const res = await fetch(`${server.url}/repos/acme/`, {
        method: 'POST',
        headers: { 'x-api-key': server.adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      expect(res.status).toBeLessThan(300);
    }
    client = new RepositoryClient({
      baseUrl: server.url,
      apiKey: server.adminKey,
      timing: { sleep: async () => {} },
    });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeFile = (name: string, size: number): { file: string; bytes: Buffer } => {
    const bytes = crypto.randomBytes(size);
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return { file, bytes };
  };

  it('says who the key belongs to', async () => {
    await expect(client.whoami()).resolves.toMatchObject({ authenticated: true, slug: 'acme-admin' });
  });

  it('uploads a file in one PUT, creates a raw package from it, and finds it again', async () => {
    const { file, bytes } = writeFile('tool-1.2.3.bin', 200_000);
    const upload = await client.uploadFile('acme', 'dev', file);
    expect(upload.parts).toBe(1);
    const pkg = await client.createPackage('acme', 'dev', 'raw', {
      package_file: upload.identifier,
      name: 'tool',
      version: '1.2.3',
    });
    expect(pkg.checksum_sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    expect(pkg.size).toBe(bytes.length);

    expect((await client.getPackage('acme', 'dev', pkg.slug_perm)).name).toBe('tool');
    const status = await client.getPackageStatus('acme', 'dev', pkg.slug_perm);
    expect(typeof status.is_sync_completed).toBe('boolean');
    const page = await client.listPackages('acme', 'dev', { query: 'name:tool version:1.2.3' });
    expect(page.items.map((p) => p.slug_perm)).toEqual([pkg.slug_perm]);
    expect(page.count).toBe(1);

    const tagged = await client.tagPackage('acme', 'dev', pkg.slug_perm, {
      action: 'add',
      tags: ['candidate'],
    });
    expect(Object.values(tagged.tags).flat()).toContain('candidate');
    const copy = await client.copyPackage('acme', 'dev', pkg.slug_perm, { destination: 'prod' });
    expect(copy.repository).toBe('prod');
    expect(copy.checksum_sha256).toBe(pkg.checksum_sha256);
  });

  it('uploads a file in parts that the service assembles and verifies', async () => {
    const { file, bytes } = writeFile('big-0.1.0.bin', 700_000);
    const upload = await client.uploadFile('acme', 'dev', file, {
      multipartThreshold: 300_000,
      partSize: 256 * 1024,
    });
    expect(upload.parts).toBe(3);
    const pkg = await client.createPackage('acme', 'dev', 'raw', {
      package_file: upload.identifier,
      name: 'big',
      version: '0.1.0',
    });
    expect(pkg.checksum_sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
  });

  it('has the service refuse a file rewritten after it was hashed, in one PUT or in parts', async () => {
    for (const [name, multipartThreshold] of [
      ['rewritten-1.0.0.bin', undefined],
      ['rewritten-2.0.0.bin', 100_000],
    ] as const) {
      const { file, bytes } = writeFile(name, 300_000);
      const hashed = { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
      fs.writeFileSync(file, crypto.randomBytes(bytes.length));
      const err = await client
        .uploadFile('acme', 'dev', file, { hashed, multipartThreshold, partSize: 100_000 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('checksum_mismatch');
      expect((err as ApiError).attempts).toBe(1);
    }
  });

  it('reports the service refusing a package as an ApiError with its detail', async () => {
    const err = await client
      .createPackage('acme', 'dev', 'raw', { package_file: 'no-such-upload', name: 'x', version: '1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.status).toBeGreaterThanOrEqual(400);
    expect(apiError.status).toBeLessThan(500);
    expect(apiError.message).toMatch(/^POST \/packages\/acme\/dev\/upload\/raw\/: 4\d\d \w+ — .+/);
    expect(apiError.detail.length).toBeGreaterThan(0);
  });
});
