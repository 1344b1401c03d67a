import type http from 'node:http';
import { MAX_ANSWER_BYTES } from '../../../src/server/hooks/delivery.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { startReceiver, type Receiver } from '../../helpers/receivers.js';
import { api, createRepo } from '../../helpers/upload.js';

interface Delivery {
  event: string;
  status_code: number | null;
  error: string | null;
  outcome: string;
}

/** Polls until `probe` returns a value (the test's own timeout bounds the wait). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('webhook deliveries when one receiver is slow or huge', () => {
  let server: TestServer;
  const receivers: Receiver[] = [];
  const trickles: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    // A long overall deadline, so nothing but the concurrency lets the fast receiver through.
    server = await startTestServer({ webhooks: { timeoutSeconds: 120, retryDelaysSeconds: [] } });
    await createRepo(server, 'slow-team');
    await createRepo(server, 'fast-team');
  });
  afterAll(async () => {
    trickles.forEach(clearInterval);
    await server.close();
    for (const r of receivers) await r.close();
  });

  const hook = async (repo: string, receiver: Receiver): Promise<string> => {
    const res = await api<{ slug_perm: string }>(server, 'POST', `/webhooks/acme/${repo}/`, {
      target_url: `${receiver.url}/hook`,
      events: ['*'],
    });
    expect(res.status).toBe(201);
    return res.body.slug_perm;
  };
  const deliveries = async (repo: string, id: string): Promise<Delivery[]> =>
    (await api<Delivery[]>(server, 'GET', `/webhooks/acme/${repo}/${id}/deliveries/`)).body;

  it('delivers to a prompt receiver while another trickles its answer a byte at a time', async () => {
    let trickling: http.ServerResponse | undefined;
    const slow = await startReceiver((_req, res) => {
      trickling = res;
      res.writeHead(200);
      trickles.push(setInterval(() => res.write('.'), 200));
    });
    const fast = await startReceiver((_req, res) => res.writeHead(204).end());
    receivers.push(slow, fast);

    const slowHook = await hook('slow-team', slow);
    await slow.firstRequest();
    const fastHook = await hook('fast-team', fast);
    const [ping] = await eventually(async () => {
      const rows = await deliveries('fast-team', fastHook);
      return rows.length > 0 ? rows : undefined;
    });
    expect(ping).toMatchObject({ event: 'ping', status_code: 204, outcome: 'delivered' });
    expect(fast.requests).toHaveLength(1);
    // The slow receiver's delivery is still in flight: its answer is unfinished and nothing is logged.
    expect(trickling?.writableEnded).toBe(false);
    expect(await deliveries('slow-team', slowHook)).toEqual([]);
  });

  it('reads a few KiB of a 50 MB answer and hangs up', async () => {
    let written = 0;
    let closed!: () => void;
    const hungUp = new Promise<void>((resolve) => (closed = resolve));
    const huge = await startReceiver((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 'y');
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      res.on('close', () => closed());
      const pump = (): void => {
        while (written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    receivers.push(huge);
    await createRepo(server, 'huge-team');
    const id = await hook('huge-team', huge);
    const [row] = await eventually(async () => {
      const rows = await deliveries('huge-team', id);
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toMatchObject({ status_code: 200, outcome: 'delivered', error: null });
    await hungUp;
    // The receiver could push only what socket buffers hold before the service hung up.
    expect(written).toBeLessThan(50 * 1024 * 1024);
    expect(MAX_ANSWER_BYTES).toBeLessThanOrEqual(8192);
  });
});
