import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RepositoryClient } from '../../src/client/client.js';
import { FILE_CHUNK_BYTES } from '../../src/client/file-body.js';
import type { UploadProgress } from '../../src/client/upload.js';
import { startBodyServer, type BodyPlan, type BodyServer } from '../helpers/body-server.js';
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

  it('declares the sha256 and PUTs the whole file in one request below the threshold', async () => {
    server.on('PUT', '/uploads/up123/', { status: 200, json: {} });
    const progress: UploadProgress[] = [];
    const result = await client().uploadFile('acme', 'dev', file, { onProgress: (p) => progress.push(p) });

    const [request] = server.calls('POST', '/files/acme/dev/');
    expect(JSON.parse(request!.body.toString())).toEqual({
      filename: 'app-1.0.0.tgz',
      sha256_checksum: sha256(content),
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

  it('declares the sha256 the caller read instead of reading the file for it again', async () => {
    server.on('PUT', '/uploads/up123/', { status: 200, json: {} });
    const hashed = { sha256: 'ab'.repeat(32), size: content.length };
    const result = await client().uploadFile('acme', 'dev', file, { hashed });
    const [request] = server.calls('POST', '/files/acme/dev/');
    expect(JSON.parse(request!.body.toString()).sha256_checksum).toBe(hashed.sha256);
    expect(result.sha256).toBe(hashed.sha256);
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

describe('RepositoryClient.uploadFile when the connection or the file fails it', () => {
  let server: BodyServer | undefined;
  let dir: string;
  let file: string;
  let content: Buffer;

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, 'big-1.0.0.bin');
    content = crypto.randomBytes(3 * FILE_CHUNK_BYTES + 777);
    fs.writeFileSync(file, content);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Answers the upload request with a slot on itself, and each PUT as `put` says. */
  async function serve(put: (n: number) => BodyPlan): Promise<BodyServer> {
    let puts = 0;
    const target = await startBodyServer((req) => {
      if (req.method === 'PUT') return put(puts++);
      return {
        answer: 202,
        json: { identifier: 'up1', upload_url: `${target.url}/uploads/up1/`, upload_headers: {} },
      };
    });
    server = target;
    return target;
  }

  const retries: string[] = [];
  const client = (url: string) =>
    new RepositoryClient({
      baseUrl: url,
      apiKey: 'k',
      timing: fakeTiming(),
      onRetry: (n) => retries.push(`${n.method} ${n.path}`),
    });
  beforeEach(() => retries.splice(0));

  it('sends the whole file again, under the same declared sha256, after a reset half-way', async () => {
    const target = await serve((n) => (n === 0 ? { resetAfter: FILE_CHUNK_BYTES } : { answer: 200 }));
    const result = await client(target.url).uploadFile('acme', 'dev', file);

    const requests = target.calls('POST');
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.body.toString()).sha256_checksum).toBe(sha256(content));
    const puts = target.calls('PUT');
    expect(puts.map((p) => p.complete)).toEqual([false, true]);
    expect(puts[0]!.body.length).toBeLessThan(content.length);
    expect(puts[1]!.body.equals(content)).toBe(true);
    expect(retries).toEqual(['PUT /uploads/up1/']);
    expect(result).toMatchObject({ identifier: 'up1', size: content.length, sha256: sha256(content) });
  });

  it('fails at once, naming the file, when the file changes size while it is sent', async () => {
    const target = await serve(() => ({ answer: 200 }));
    let cut = false;
    const onProgress = (p: UploadProgress) => {
      if (!cut && p.sentBytes >= FILE_CHUNK_BYTES) {
        cut = true;
        fs.truncateSync(file, 100);
      }
    };
    await expect(client(target.url).uploadFile('acme', 'dev', file, { onProgress })).rejects.toThrow(
      new RegExp(
        `^PUT /uploads/up1/: ${file} changed while it was being sent: it ended at byte \\d+, not ${content.length}`,
      ),
    );
    // Not retried: a retry would send a file the declared sha256 no longer describes.
    expect(retries).toEqual([]);
    await target.settled(2);
    expect(target.calls('PUT').filter((r) => r.complete)).toEqual([]);
  });
});
