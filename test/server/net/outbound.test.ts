import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK_CIDRS, OutboundPolicy, OutboundRefusal } from '../../../src/server/net/address-policy.js';
import { OutboundAborted, sendOutbound, type Resolver } from '../../../src/server/net/outbound.js';

interface Receiver {
  url: string;
  port: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

async function startReceiver(handler: http.RequestListener): Promise<Receiver> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const LOOPBACK = new OutboundPolicy(LOOPBACK_CIDRS);
const get = (url: string, extra: Partial<Parameters<typeof sendOutbound>[1]> = {}) => ({
  url,
  method: 'GET' as const,
  deadlineMs: 10_000,
  maxBodyBytes: 4096,
  ...extra,
});

describe('outbound requests', () => {
  it('connects to the address it checked, not to whatever a second lookup would say', async () => {
    const receiver = await startReceiver((_req, res) => res.end('ok'));
    try {
      // The name exists only in this resolver: a second lookup by the HTTP client would fail.
      let lookups = 0;
      const resolve: Resolver = async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      };
      const res = await sendOutbound(
        new OutboundPolicy(['*.rebind.test']),
        get(`http://hooks.rebind.test:${receiver.port}/x`),
        resolve,
      );
      expect(res.status).toBe(200);
      expect(lookups).toBe(1);
      expect(receiver.requests[0]!.headers.host).toBe(`hooks.rebind.test:${receiver.port}`);
    } finally {
      await receiver.close();
    }
  });

  it('refuses a name when any one of its addresses is refused, before connecting', async () => {
    const receiver = await startReceiver((_req, res) => res.end('ok'));
    try {
      const resolve: Resolver = async () => [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ];
      await expect(
        sendOutbound(LOOPBACK, get(`http://two.example:${receiver.port}/`), resolve),
      ).rejects.toThrow(OutboundRefusal);
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it.each([
    'http://127.0.0.1:1/',
    'http://[::ffff:127.0.0.1]:1/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0:1/',
    'http://[fd00:ec2::254]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://2130706433:1/',
    'http://0x7f.1:1/',
  ])('refuses %s without an allow list', async (url) => {
    await expect(sendOutbound(new OutboundPolicy([]), get(url))).rejects.toThrow(OutboundRefusal);
  });

  it('reads at most the limit of a 50 MB answer and drops the connection', async () => {
    let written = 0;
    let finished = false;
    let closed!: () => void;
    const receiverClosed = new Promise<void>((resolve) => (closed = resolve));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      const pump = (): void => {
        while (written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(() => (finished = true));
      };
      res.on('close', () => closed());
      pump();
    });
    try {
      const res = await sendOutbound(LOOPBACK, get(receiver.url, { maxBodyBytes: 4096 }));
      expect(res.status).toBe(200);
      expect(res.truncated).toBe(true);
      expect(res.body.length).toBe(4096);
      // The sender stopped reading and hung up: the receiver could not push the body through.
      await receiverClosed;
      expect(finished).toBe(false);
      expect(written).toBeLessThan(50 * 1024 * 1024);
    } finally {
      await receiver.close();
    }
  });

  it('gives up on a receiver that trickles its answer, at the overall deadline', async () => {
    const timers: NodeJS.Timeout[] = [];
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200);
      timers.push(setInterval(() => res.write('.'), 20));
    });
    try {
      await expect(sendOutbound(LOOPBACK, get(receiver.url, { deadlineMs: 300 }))).rejects.toThrow(
        /no complete answer within 300 ms/,
      );
    } finally {
      timers.forEach(clearInterval);
      await receiver.close();
    }
  });

  it('stops at once when its signal aborts', async () => {
    const receiver = await startReceiver(() => undefined);
    try {
      const controller = new AbortController();
      const sent = sendOutbound(LOOPBACK, get(receiver.url, { signal: controller.signal }));
      while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      await expect(sent).rejects.toThrow(OutboundAborted);
    } finally {
      await receiver.close();
    }
  });

  it('returns a redirect as it is, without following it', async () => {
    const receiver = await startReceiver((req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/next' }).end();
      else res.end('followed');
    });
    try {
      const res = await sendOutbound(LOOPBACK, get(receiver.url + '/'));
      expect(res.status).toBe(302);
      expect(receiver.requests.map((r) => r.url)).toEqual(['/']);
    } finally {
      await receiver.close();
    }
  });
});
