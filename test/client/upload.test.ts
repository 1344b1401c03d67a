import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RepositoryClient } from '../../src/client/client.js';
import type { UploadProgress } from '../../src/client/upload.js';
import { fakeTiming, startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/server.js';

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

describe('RepositoryClient.uploadFile', () => {
  let server: ScriptedServer;
  let dir: string;
  let content: Buffer;
  let file: string;

  beforeEach(async () => {
    server = await startScriptedServer();
    dir = tempDir();
    content = crypto.randomBytes(250_000);
    file = path.join(dir, 'app-1.0.0.tgz');
    fs.writeFileSync(file, content);
    server.on('POST', '/files/acme/dev/', (req) => ({
      status: 202,
      json: {
        identifier: 'up123',
        upload_url: `${server.url}/uploads/up123/`,
        upload_headers: { 'x-upload-signature': 'sig' },
        method: JSON.parse(req.body.toString()).method,
      },
    }));
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const client = () => new RepositoryClient({ baseUrl: server.url, apiKey: 'k', timing: fakeTiming() });

  it('declares the checksums and PUTs the whole file in one request below the threshold', async () => {
    server.on('PUT', '/uploads/up123/', { status: 200, json: {} });
    const progress: UploadProgress[] = [];
    const result = await client().uploadFile('acme', 'dev', file, { onProgress: (p) => progress.push(p) });

    const [request] = server.calls('POST', '/files/acme/dev/');
    expect(JSON.parse(request!.body.toString())).toEqual({
      filename: 'app-1.0.0.tgz',
      sha256_checksum: sha256(content),
      md5_checksum: crypto.createHash('md5').update(content).digest('hex'),
      method: 'put',
    });
    const [put] = server.calls('PUT', '/uploads/up123/');
    expect(put!.body.equals(content)).toBe(true);
    expect(put!.headers['content-length']).toBe(String(content.length));
    expect(put!.headers['x-upload-signature']).toBe('sig');
    expect(put!.headers['x-api-key']).toBe('k');
    expect(result).toMatchObject({
      identifier: 'up123',
      size: content.length,
      sha256: sha256(content),
      parts: 1,
    });
    expect(progress.at(-1)).toEqual({
      filename: 'app-1.0.0.tgz',
      sentBytes: content.length,
      totalBytes: content.length,
    });
  });

  it('sends a large file in numbered parts and then completes the upload', async () => {
    server.on('PUT', '/uploads/up123/', { status: 200, json: {} });
    server.on('POST', '/files/acme/dev/up123/complete/', { status: 201, json: {} });
    const result = await client().uploadFile('acme', 'dev', file, {
      multipartThreshold: 100_000,
      partSize: 40_000,
    });

    expect(JSON.parse(server.calls('POST', '/files/acme/dev/')[0]!.body.toString()).method).toBe('put_parts');
    const puts = server.calls('PUT', '/uploads/up123/');
    expect(puts).toHaveLength(7);
    expect(puts.map((p) => new URL(p.url, server.url).searchParams.get('part_number'))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
    ]);
    expect(puts.every((p) => new URL(p.url, server.url).searchParams.get('upload_id') === 'up123')).toBe(
      true,
    );
    expect(Buffer.concat(puts.map((p) => p.body)).equals(content)).toBe(true);
    const [complete] = server.calls('POST', '/files/acme/dev/up123/complete/');
    expect(JSON.parse(complete!.body.toString())).toEqual({ upload_id: 'up123', complete: true });
    expect(result.parts).toBe(7);
  });

  it('sends a part again from its own first byte when its PUT failed', async () => {
    let seen = 0;
    server.on('PUT', '/uploads/up123/', (req) => {
      seen++;
      return seen === 2 && req.url.includes('part_number=2') ? { status: 503 } : { status: 200, json: {} };
    });
    server.on('POST', '/files/acme/dev/up123/complete/', { status: 201, json: {} });
    await client().uploadFile('acme', 'dev', file, { multipartThreshold: 100_000, partSize: 100_000 });

    const bodies = server.calls('PUT', '/uploads/up123/').map((p) => p.body);
    expect(bodies).toHaveLength(4);
    expect(bodies[1]!.equals(bodies[2]!)).toBe(true);
    expect(bodies[2]!.equals(content.subarray(100_000, 200_000))).toBe(true);
  });

  it('sends no credential to an upload URL on another host', async () => {
    const storage = await startScriptedServer();
    try {
      storage.on('PUT', '/bucket/up123', { status: 200, text: '' });
      server.on('POST', '/files/acme/dev/', {
        status: 202,
        json: {
          identifier: 'up123',
          upload_url: `${storage.url.replace('127.0.0.1', 'localhost')}/bucket/up123`,
        },
      });
      await client().uploadFile('acme', 'dev', file);
      const [put] = storage.calls('PUT', '/bucket/up123');
      expect(put!.body.equals(content)).toBe(true);
      expect(put!.headers['x-api-key']).toBeUndefined();
    } finally {
      await storage.close();
    }
  });
});
