import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the server saw it: the body bytes that arrived, and whether it arrived whole. */
export interface BodyRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The whole body arrived (its end was read), rather than the connection closing first. */
  complete: boolean;
}

/** What the server does with a request. */
export type BodyPlan =
  /** Read the whole body, then answer. */
  | { answer: number; json?: unknown }
  /** Answer at once, without reading the body, and close the connection. */
  | { answerEarly: number; json?: unknown }
  /** Read at least this many body bytes, then reset the connection. */
  | { resetAfter: number }
  /** Read the whole body and never answer. */
  | { hang: true };

/** A loopback HTTP server that records request bodies as they arrive, even cut short. */
export interface BodyServer {
  url: string;
  requests: BodyRequest[];
  /** Requests with this method. */
  calls(method: string): BodyRequest[];
  /**
   * Settles once at least `connections` connections have arrived and every one has closed: after
   * a client gave up on a request, what the server received from it is then final.
   */
  settled(connections: number): Promise<void>;
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, json: unknown, close: boolean): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
  res.end(JSON.stringify(json ?? {}));
}

/**
 * Starts a server on 127.0.0.1 that asks `plan` what to do with each request (`n` counts from 0):
 * unlike the scripted server, it sees a body that stops half-way, so tests can tell a whole
 * upload from one abandoned or reset mid-way.
 */
export async function startBodyServer(
  plan: (request: BodyRequest, n: number) => BodyPlan,
): Promise<BodyServer> {
  const requests: BodyRequest[] = [];
  const sockets = new Set<Socket>();
  let seen = 0;
  const waiters: { connections: number; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (seen >= w.connections && sockets.size === 0) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server = http.createServer((req, res) => {
    const record: BodyRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.alloc(0),
      complete: false,
    };
    requests.push(record);
    const action = plan(record, requests.length - 1);
    const chunks: Buffer[] = [];
    let received = 0;
    const collect = () => (record.body = Buffer.concat(chunks));
    req.on('close', collect);
    if ('answerEarly' in action) {
      reply(res, action.answerEarly, action.json, true);
      return;
    }
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if ('resetAfter' in action && received >= action.resetAfter) {
        collect();
        req.socket.destroy();
      }
    });
    req.on('end', () => {
      collect();
      record.complete = true;
      if ('answer' in action) reply(res, action.answer, action.json, false);
    });
  });
  server.on('connection', (s) => {
    seen++;
    sockets.add(s);
    s.on('close', () => {
      sockets.delete(s);
      // After the request's own close handlers, so its record is final.
      setImmediate(check);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    calls: (method) => requests.filter((r) => r.method === method),
    settled: (connections) =>
      new Promise<void>((resolve) => {
        waiters.push({ connections, resolve });
        check();
      }),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
