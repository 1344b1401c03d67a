import { changeWebhook } from '../../../src/server/store/webhooks.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { startReceiver, type Receiver } from '../../helpers/receivers.js';
import { api, createRepo } from '../../helpers/upload.js';

interface Delivery {
  event: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  outcome: string;
}

async function deliveriesOf(server: TestServer, repo: string, hookId: string): Promise<Delivery[]> {
  return (await api<Delivery[]>(server, 'GET', `/webhooks/acme/${repo}/${hookId}/deliveries/`)).body;
}

/** Polls until `probe` returns a value (the test's own timeout bounds the wait). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a repository Admin aiming webhooks at internal addresses', () => {
  let server: TestServer;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver((_req, res) => res.writeHead(200).end('secret internal answer'));
    // The default: no allow list, so private receivers are allowed and loopback is not.
    server = await startTestServer({ outbound: { allow: [] }, webhooks: { retryDelaysSeconds: [0, 0] } });
    await createRepo(server, 'dev');
  });
  afterAll(async () => {
    await server.close();
    await receiver.close();
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/iam/',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://0.0.0.0:22/',
    'http://[::]/',
    'http://[::ffff:127.0.0.1]:22/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://metadata/',
    'http://224.0.0.1/',
  ])('cannot create a webhook for %s', async (target) => {
    const res = await api<{ code: string; fields: Record<string, string[]> }>(
      server,
      'POST',
      '/webhooks/acme/dev/',
      {
        target_url: target,
        events: ['*'],
      },
    );
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('outbound_address_refused');
    expect(res.body.fields.target_url![0]).toMatch(/does not connect to this address/);
  });

  it.each([
    'http://10.0.0.1:8080/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
  ])('can aim a webhook at the private receiver %s while no allow list is set', async (target) => {
    const res = await api<{ target_url: string }>(server, 'POST', '/webhooks/acme/dev/', {
      target_url: target,
      events: ['*'],
      is_active: false,
    });
    expect(res.status).toBe(201);
    expect(res.body.target_url).toBe(target);
  });

  it('cannot reach a loopback receiver by address or by a name resolving to it', async () => {
    for (const target of [`${receiver.url}/hook`, `http://localhost:${receiver.port}/hook`]) {
      const res = await api<{ code: string; fields: Record<string, string[]> }>(
        server,
        'POST',
        '/webhooks/acme/dev/',
        {
          target_url: target,
          events: ['*'],
        },
      );
      expect(res.status).toBe(422);
      expect(res.body.fields.target_url![0]).toMatch(/loopback.*--outbound-allow/);
    }
    expect(receiver.requests).toEqual([]);
    const stored = (await api<{ target_url: string }[]>(server, 'GET', '/webhooks/acme/dev/')).body;
    expect(stored.filter((w) => w.target_url.includes(String(receiver.port)))).toEqual([]);
  });

  it('cannot move an existing webhook to the metadata service', async () => {
    const created = await api<{ slug_perm: string }>(server, 'POST', '/webhooks/acme/dev/', {
      target_url: 'http://receiver.invalid/hook',
      events: ['package.created'],
      is_active: false,
    });
    expect(created.status).toBe(201);
    const id = created.body.slug_perm;
    const moved = await api<{ code: string }>(server, 'PATCH', `/webhooks/acme/dev/${id}/`, {
      target_url: 'http://169.254.169.254/latest/meta-data/',
    });
    expect(moved.status).toBe(422);
    expect(moved.body.code).toBe('outbound_address_refused');
    const after = await api<{ target_url: string }>(server, 'GET', `/webhooks/acme/dev/${id}/`);
    expect(after.body.target_url).toBe('http://receiver.invalid/hook');
  });

  it('refuses at delivery time a target that now resolves to a refused address: no request, no retry, no answer shown', async () => {
    // A target accepted earlier (its name resolved elsewhere then, or the rules were looser).
    const created = await api<{ slug_perm: string }>(server, 'POST', '/webhooks/acme/dev/', {
      target_url: 'http://receiver.invalid/hook',
      events: ['package.created'],
      is_active: false,
    });
    const id = created.body.slug_perm;
    // Its creation ping uses up its attempts on the name that does not resolve.
    await eventually(async () => {
      const rows = await deliveriesOf(server, 'dev', id);
      return rows.some((d) => d.outcome === 'failed') ? true : undefined;
    });
    await changeWebhook(server.ctx, id, {
      target_url: `http://localhost:${receiver.port}/hook`,
      is_active: 1,
    });
    await server.services.webhooks.ping(id);
    const refused = async (): Promise<Delivery[]> =>
      (await deliveriesOf(server, 'dev', id)).filter((d) => d.error?.startsWith('refused:'));
    const [row] = await eventually(async () => {
      const rows = await refused();
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toMatchObject({ event: 'ping', attempt: 1, status_code: null, outcome: 'failed' });
    expect(row!.error).toMatch(/^refused: localhost resolves to a loopback address/);
    expect(row!.error).not.toContain('secret internal answer');
    expect(receiver.requests).toEqual([]);
    // Not retried, though two retries are configured.
    const jobs = await server.ctx.db
      .selectFrom('jobs')
      .select(['status', 'attempts', 'last_error'])
      .where('payload', 'like', `%${id}%`)
      .execute();
    const job = jobs.find((j) => j.last_error?.startsWith('refused:'));
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await refused()).toHaveLength(1);
  });
});

describe('webhooks on a service whose allow list names its destinations', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ outbound: { allow: ['10.20.0.0/16', '*.corp.example'] } });
    await createRepo(server, 'dev');
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(['http://10.0.0.1:8080/', 'http://192.168.1.1/', 'http://[fd00::1]/'])(
    'refuses the private receiver %s that the list does not name',
    async (target) => {
      const res = await api<{ code: string; fields: Record<string, string[]> }>(
        server,
        'POST',
        '/webhooks/acme/dev/',
        {
          target_url: target,
          events: ['*'],
          is_active: false,
        },
      );
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('outbound_address_refused');
      expect(res.body.fields.target_url![0]).toMatch(/only when it names them/);
    },
  );

  it('accepts a private receiver inside a listed CIDR', async () => {
    const res = await api<{ target_url: string }>(server, 'POST', '/webhooks/acme/dev/', {
      target_url: 'http://10.20.3.4:8080/jenkins/generic-webhook-trigger/invoke',
      events: ['*'],
      is_active: false,
    });
    expect(res.status).toBe(201);
  });
});

describe('webhook receivers that redirect', () => {
  let server: TestServer;
  let inner: Receiver;
  let redirector: Receiver;

  beforeAll(async () => {
    inner = await startReceiver((_req, res) => res.writeHead(200).end());
    redirector = await startReceiver((_req, res) =>
      res.writeHead(307, { location: `http://169.254.169.254/latest/meta-data/` }).end(),
    );
    server = await startTestServer({ webhooks: { retryDelaysSeconds: [] } });
    await createRepo(server, 'dev');
  });
  afterAll(async () => {
    await server.close();
    await inner.close();
    await redirector.close();
  });

  it('are not followed: a 3xx is a failed delivery', async () => {
    const created = await api<{ slug_perm: string }>(server, 'POST', '/webhooks/acme/dev/', {
      target_url: `${redirector.url}/hook`,
      events: ['*'],
    });
    expect(created.status).toBe(201);
    const [row] = await eventually(async () => {
      const rows = await deliveriesOf(server, 'dev', created.body.slug_perm);
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toMatchObject({ status_code: 307, outcome: 'failed' });
    expect(row!.error).toMatch(/redirects are not followed/);
    expect(redirector.requests).toHaveLength(1);
  });
});
