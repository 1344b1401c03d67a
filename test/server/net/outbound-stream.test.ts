import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_CIDRS, OutboundPolicy, OutboundRefusal } from '../../../src/server/net/address-policy.js';
import { openOutboundStream } from '../../../src/server/net/outbound.js';

async function startServer(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readAll(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('openOutboundStream', () => {
  const loopback = new OutboundPolicy(LOOPBACK_CIDRS);

  it('hands back the status, headers and the whole body as a stream', async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    const server = await startServer((_req, res) => res.writeHead(200, { 'x-kind': 'big' }).end(payload));
    try {
      const res = await openOutboundStream(loopback, { url: `${server.url}/f`, deadlineMs: 10_000 });
      expect(res.status).toBe(200);
      expect(res.headers['x-kind']).toBe('big');
      expect((await readAll(res.body)).equals(payload)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('refuses an address the policy refuses before connecting', async () => {
    await expect(
      openOutboundStream(new OutboundPolicy([]), { url: 'http://127.0.0.1:9/x', deadlineMs: 10_000 }),
    ).rejects.toBeInstanceOf(OutboundRefusal);
  });

  it('cuts a body that is still flowing when the deadline passes', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('first part');
      // The rest never comes.
    });
    try {
      const res = await openOutboundStream(loopback, { url: `${server.url}/slow`, deadlineMs: 300 });
      await expect(readAll(res.body)).rejects.toThrow(/no complete answer within 300 ms/);
    } finally {
      await server.close();
    }
  });
});
