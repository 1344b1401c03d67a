import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { FILE_CHUNK_BYTES, sendFileRequest, type FileBody } from '../../src/client/file-body.js';
import { Transport } from '../../src/client/http.js';
import { startBodyServer, type BodyPlan, type BodyServer } from '../helpers/body-server.js';
import { tempDir } from '../helpers/server.js';

describe('sendFileRequest', () => {
  let server: BodyServer | undefined;
  let dir: string;
  let file: string;
  let content: Buffer;

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, 'payload.bin');
    // Several chunks and an odd tail, so the two buffers are each reused more than once.
    content = crypto.randomBytes(3 * FILE_CHUNK_BYTES + 12_345);
    fs.writeFileSync(file, content);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serve(plan: BodyPlan): Promise<BodyServer> {
    server = await startBodyServer(() => plan);
    return server;
  }

  function put(target: BodyServer, body: Partial<FileBody> = {}, timeoutMs = 10_000) {
    return sendFileRequest(
      {
        method: 'PUT',
        url: `${target.url}/upload`,
        headers: { 'content-length': body.length ?? content.length },
        timeoutMs,
      },
      { file, length: content.length, fileSize: content.length, ...body },
    );
  }

  async function readAll(res: NodeJS.ReadableStream): Promise<string> {
    let text = '';
    for await (const chunk of res) text += String(chunk);
    return text;
  }

  it('sends the range of the file byte for byte and tells how much the connection took', async () => {
    const target = await serve({ answer: 200, json: { ok: true } });
    const sent: number[] = [];
    const length = 2 * FILE_CHUNK_BYTES + 999;
    const res = await put(target, { start: 1000, length, onSent: (n) => sent.push(n) });

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(await readAll(res))).toEqual({ ok: true });
    const [request] = target.calls('PUT');
    expect(request!.complete).toBe(true);
    expect(request!.body.equals(content.subarray(1000, 1000 + length))).toBe(true);
    expect(sent).toEqual([FILE_CHUNK_BYTES, 2 * FILE_CHUNK_BYTES, length]);
  });

  it('sends nothing when the file is no longer the size it was hashed at', async () => {
    const target = await serve({ answer: 200 });
    await expect(put(target, { fileSize: content.length + 1 })).rejects.toThrow(
      `${file} changed after it was hashed: it has ${content.length} bytes, not ${content.length + 1}; nothing was sent.`,
    );
    expect(target.requests).toHaveLength(0);
  });

  it('abandons the request, rather than ending it short, when the file shrinks while it is sent', async () => {
    const target = await serve({ answer: 200 });
    const shrink = () => fs.truncateSync(file, FILE_CHUNK_BYTES + 10);
    const onSent = (n: number) => {
      if (n === FILE_CHUNK_BYTES) shrink();
    };
    await expect(put(target, { onSent })).rejects.toThrow(
      new RegExp(
        `changed while it was being sent: it ended at byte \\d+, not ${content.length}; the upload was abandoned`,
      ),
    );
    // The server may have read the headers and part of the body, but never a whole request.
    await target.settled(1);
    expect(target.calls('PUT').filter((r) => r.complete)).toEqual([]);
  });

  it('abandons the request when the file grows while it is sent', async () => {
    const target = await serve({ answer: 200 });
    const grow = () => fs.appendFileSync(file, 'more');
    const onSent = (n: number) => {
      if (n === FILE_CHUNK_BYTES) grow();
    };
    await expect(put(target, { onSent })).rejects.toThrow(
      `${file} changed while it was being sent: it has ${content.length + 4} bytes now, not ${content.length}; the upload was abandoned.`,
    );
    await target.settled(1);
    expect(target.calls('PUT').filter((r) => r.complete)).toEqual([]);
  });

  it('stops sending and gives the answer when the server answers before reading the body', async () => {
    const target = await serve({ answerEarly: 413, json: { detail: 'Too large.' } });
    const res = await put(target);

    expect(res.statusCode).toBe(413);
    expect(JSON.parse(await readAll(res))).toEqual({ detail: 'Too large.' });
  });

  it('fails with a request timeout when the server stops answering', async () => {
    const target = await serve({ hang: true });
    await expect(put(target, {}, 200)).rejects.toThrow(/^Request timeout: \/upload$/);
  });
});

describe('a file body sent by the Transport', () => {
  const saved = { http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('goes through the proxy the environment names, as every other request does', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'payload.bin');
    const content = crypto.randomBytes(FILE_CHUNK_BYTES + 4321);
    fs.writeFileSync(file, content);
    const target = await startBodyServer(() => ({ answer: 200, json: {} }));
    // A CONNECT proxy that takes every tunnel to the server, whatever host it names: the API's host
    // is a name no resolver knows, so the request can only have gone through the proxy.
    const tunnels: string[] = [];
    const proxy = http.createServer();
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const upstream = net.connect(Number(new URL(target.url).port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      process.env.http_proxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      delete process.env.no_proxy;
      const port = new URL(target.url).port;
      const transport = new Transport({
        baseUrl: `http://repo.airlock.test:${port}`,
        apiKey: 'k',
        retries: 0,
      });
      await transport.call({
        method: 'PUT',
        path: '/upload/',
        body: { file, length: content.length, fileSize: content.length },
      });

      expect(tunnels).toEqual([`repo.airlock.test:${port}`]);
      const [put] = target.calls('PUT');
      expect(put!.complete).toBe(true);
      expect(put!.body.equals(content)).toBe(true);
      expect(put!.headers['x-api-key']).toBe('k');
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await target.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
