import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A fault to inject: an answer instead of forwarding, or a reset connection. */
export type Fault = { status: number; json?: unknown; headers?: Record<string, string> } | { reset: true };

/** A proxy in front of a real service that injects faults on chosen routes. */
export interface FaultProxy {
  url: string;
  /** The next requests to `METHOD path` get these faults, one each, in order; later ones are forwarded. */
  fail(method: string, path: string, ...faults: Fault[]): void;
  /** Every request to `METHOD path` gets this fault. */
  failAlways(method: string, path: string, fault: Fault): void;
  /** How many requests reached the proxy for `METHOD path`. */
  count(method: string, path: string): number;
  close(): Promise<void>;
}

/**
 * Starts a loopback proxy to `target` (e.g. the in-process service), so a test can make the real
 * service look flaky: 503s, throttling, reset connections — then let requests through.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const queued = new Map<string, Fault[]>();
  const always = new Map<string, Fault>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const upstream = new URL(target);

  const server = http.createServer((req, res) => {
    const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const fault = queued.get(key)?.shift() ?? always.get(key);
    if (fault) {
      req.resume();
      req.on('end', () => {
        if ('reset' in fault) {
          req.socket.destroy();
          return;
        }
        const body = fault.json === undefined ? '' : JSON.stringify(fault.json);
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(body);
      });
      return;
    }
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fail(method, path, ...faults) {
      queued.set(`${method} ${path}`, [...(queued.get(`${method} ${path}`) ?? []), ...faults]);
    },
    failAlways(method, path, fault) {
      always.set(`${method} ${path}`, fault);
    },
    count(method, path) {
      return counts.get(`${method} ${path}`) ?? 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
