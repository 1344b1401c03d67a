import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver on loopback that records every request it gets. */
export interface Receiver {
  url: string;
  port: number;
  /** Requests received, with their bodies once read. */
  requests: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }>;
  /** Resolves with the first request (waits for it). */
  firstRequest(): Promise<{ url: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1; `answer` gets each request after its body has been read.
 * `close()` drops every open connection, so a receiver that never answers still closes.
 */
export async function startReceiver(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const waiting: Array<(r: Receiver['requests'][number]) => void> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const seen = { url: req.url ?? '', headers: req.headers, body };
      requests.push(seen);
      for (const w of waiting.splice(0)) w(seen);
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    firstRequest: () =>
      requests[0] ? Promise.resolve(requests[0]) : new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
