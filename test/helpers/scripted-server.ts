import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer: a response, a reset connection, or a request left hanging. */
export type Answer =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | { reset: true }
  | { hang: true }
  | ((request: RecordedRequest) => Answer | Promise<Answer>);

/** A request the server received, body included. */
export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback HTTP server that answers each route from a script, in order, recording every request. */
export interface ScriptedServer {
  url: string;
  requests: RecordedRequest[];
  /** Scripts `METHOD path`: answers are used in turn, the last one repeating. */
  on(method: string, path: string, ...answers: Answer[]): void;
  /** Requests to one route. */
  calls(method: string, path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a scripted server on 127.0.0.1 and a random port. Unscripted routes answer 404. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  const routes = new Map<string, Answer[]>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          path: url.pathname,
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        requests.push(recorded);
        const queue = routes.get(`${recorded.method} ${recorded.path}`);
        let answer: Answer = {
          status: 404,
          json: { detail: `No script for ${recorded.method} ${recorded.path}` },
        };
        if (queue && queue.length > 0) answer = queue.length > 1 ? queue.shift()! : queue[0]!;
        while (typeof answer === 'function') answer = await answer(recorded);
        if ('reset' in answer) {
          req.socket.destroy();
          return;
        }
        if ('hang' in answer) return;
        const headers: Record<string, string> = { ...answer.headers };
        let body = answer.text ?? '';
        if (answer.json !== undefined) {
          body = JSON.stringify(answer.json);
          headers['content-type'] ??= 'application/json';
        }
        res.writeHead(answer.status, headers);
        res.end(body);
      })();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on(method, path, ...answers) {
      routes.set(`${method} ${path}`, answers);
    },
    calls(method, path) {
      return requests.filter((r) => r.method === method && r.path === path);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Timings for a client under test: no real sleeping, and every wait recorded. */
export function fakeTiming(): {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  waits: number[];
} {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    random: () => 0.5,
  };
}
