import crypto from 'node:crypto';
import { startReceiver, type Receiver } from '../helpers/receivers.js';
import { startDeployment, type Deployment } from '../helpers/replicas.js';
import type { TestServer } from '../helpers/server.js';
import { api, uploadPackage } from '../helpers/upload.js';

interface Created {
  slug_perm: string;
  name: string;
  version: string;
  cdn_url: string;
  checksum_sha256: string;
}

const sha256 = (bytes: Uint8Array): string => crypto.createHash('sha256').update(bytes).digest('hex');

/** Runs `tasks` with at most `limit` at a time; resolves with their results in order. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

/** Every package of a repository, through the paged list. */
async function listAll(server: TestServer, repo: string, query = ''): Promise<Created[]> {
  const out: Created[] = [];
  for (let page = 1; ; page++) {
    const q = query ? `&query=${encodeURIComponent(query)}` : '';
    const res = await api<Created[]>(server, 'GET', `/packages/acme/${repo}/?page=${page}&page_size=100${q}`);
    if (res.status === 404) break;
    expect(res.status).toBe(200);
    out.push(...res.body);
    if (res.body.length < 100) break;
  }
  return out;
}

describe('three replicas behind nginx on PostgreSQL and S3', () => {
  let deployment: Deployment;
  /** The deployment as the upload helpers see a server: through nginx. */
  let lb: TestServer;

  beforeAll(async () => {
    deployment = await startDeployment({ replicas: 3 });
    lb = { url: deployment.url, org: 'acme', adminKey: deployment.adminKey } as TestServer;
    for (const slug of ['many', 'parts', 'versions', 'killed', 'hooks']) {
      const res = await api(lb, 'POST', '/repos/acme/', { name: slug, slug });
      expect(res.status).toBe(201);
    }
  }, 180_000);
  afterAll(async () => deployment?.stop(), 60_000);

  /** The same URL on one replica, bypassing nginx. */
  const onReplica = (url: string, i: number): string => {
    const u = new URL(url);
    u.port = String(deployment.replicas[i]!.port);
    return u.toString();
  };

  it('lists 200 concurrent uploads and serves each with its sha256 from every replica', async () => {
    const files = Array.from({ length: 200 }, (_, i) => crypto.randomBytes(2048 + i * 64));
    const created = await pool(
      50,
      files.map((bytes, i) => async () => {
        const res = await uploadPackage<Created>(lb, 'many', 'raw', bytes, `f${i}.bin`, {
          name: `f${i}`,
          version: '1.0.0',
        });
        expect(res.status).toBe(201);
        return res.body;
      }),
    );
    const listed = await listAll(lb, 'many');
    expect(listed.map((p) => p.name).sort()).toEqual(files.map((_, i) => `f${i}`).sort());
    await pool(
      30,
      created.flatMap((pkg, i) =>
        deployment.replicas.map((_, r) => async () => {
          const res = await fetch(onReplica(pkg.cdn_url, r), {
            headers: { 'X-Api-Key': deployment.adminKey },
          });
          expect(res.status).toBe(200);
          expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(files[i]!));
        }),
      ),
    );
  }, 300_000);

  it('completes a multipart upload whose parts land on different replicas', async () => {
    const parts = [crypto.randomBytes(300_000), crypto.randomBytes(300_000), crypto.randomBytes(12_345)];
    const whole = Buffer.concat(parts);
    const granted = await api<{ identifier: string; upload_url: string }>(lb, 'POST', '/files/acme/parts/', {
      filename: 'big.iso',
      md5_checksum: crypto.createHash('md5').update(whole).digest('hex'),
      method: 'put_parts',
    });
    expect(granted.status).toBe(202);
    for (const n of [1, 2, 3]) {
      const url = new URL(onReplica(granted.body.upload_url, n - 1));
      url.searchParams.set('upload_id', granted.body.identifier);
      url.searchParams.set('part_number', String(n));
      const res = await fetch(url, {
        method: 'PUT',
        body: parts[n - 1]!,
        headers: { 'X-Api-Key': deployment.adminKey },
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const replica3 = { ...lb, url: deployment.replicas[2]!.url } as TestServer;
    const done = await api<{ sha256_checksum: string; size: number }>(
      replica3,
      'POST',
      `/files/acme/parts/${granted.body.identifier}/complete/`,
      { upload_id: granted.body.identifier, complete: true },
    );
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ sha256_checksum: sha256(whole), size: whole.length });
    const pkg = await api<Created>(lb, 'POST', '/packages/acme/parts/upload/raw/', {
      package_file: granted.body.identifier,
      name: 'big',
      version: '1',
    });
    expect(pkg.status).toBe(201);
    for (let r = 0; r < 3; r++) {
      const res = await fetch(onReplica(pkg.body.cdn_url, r), {
        headers: { 'X-Api-Key': deployment.adminKey },
      });
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(whole));
    }
  }, 120_000);

  it('loses no version when 50 versions of one package are published at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        uploadPackage<Created>(lb, 'versions', 'raw', crypto.randomBytes(1024), `tool-${i}.bin`, {
          name: 'tool',
          version: `1.0.${i}`,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 201));
    const listed = await listAll(lb, 'versions', 'name:tool');
    expect(listed.map((p) => p.version).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `1.0.${i}`).sort(),
    );
  }, 120_000);

  describe('webhook events, with the replicas racing for the deliveries', () => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver((_req, res) => res.end('ok'));
    });
    afterAll(async () => receiver.close());

    it('reach the receiver once each', async () => {
      const hook = await api(lb, 'POST', '/webhooks/acme/hooks/', {
        target_url: `${receiver.url}/hook`,
        events: ['package.created'],
        is_active: true,
        request_body_format: 0,
      });
      expect(hook.status).toBe(201);
      const created = await pool(
        10,
        Array.from({ length: 30 }, (_, i) => async () => {
          const res = await uploadPackage<Created>(lb, 'hooks', 'raw', crypto.randomBytes(512), `h${i}.bin`, {
            name: `h${i}`,
            version: '1',
          });
          expect(res.status).toBe(201);
          return res.body;
        }),
      );
      const until = Date.now() + 60_000;
      const createdEvents = () =>
        receiver.requests.filter((r) => r.headers['x-airlock-event'] === 'package.created');
      while (createdEvents().length < created.length && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
      }
      // Late duplicates would arrive after the last first delivery: give them a moment.
      await new Promise((r) => setTimeout(r, 2000));
      const ids = createdEvents().map((r) => String(r.headers['x-airlock-delivery']));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(created.length);
    }, 120_000);
  });

  it('hands the uploads of a replica killed mid-way to the others, and shows no partial package', async () => {
    const files = Array.from({ length: 24 }, () => crypto.randomBytes(1024 * 1024));
    /**
     * Publishes file i, retrying the whole flow as real clients do. A create whose answer was lost
     * with the killed replica may have committed: its retry then meets 409 duplicate_package, and
     * the checks below prove that package whole.
     */
    const upload = async (i: number): Promise<'created' | 'committed unanswered' | 'failed'> => {
      for (let attempt = 0; attempt < 6; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 300 * attempt));
        try {
          const res = await uploadPackage<{ code?: string }>(lb, 'killed', 'raw', files[i]!, `k${i}.bin`, {
            name: `k${i}`,
            version: '1',
          });
          if (res.status === 201) return 'created';
          if (attempt > 0 && res.status === 409 && res.body.code === 'duplicate_package') {
            return 'committed unanswered';
          }
        } catch {
          // A connection lost with the killed replica: the client retries, as real ones do.
        }
      }
      return 'failed';
    };
    const running = pool(
      8,
      files.map((_, i) => () => upload(i)),
    );
    await new Promise((r) => setTimeout(r, 500));
    await deployment.replicas[1]!.kill('SIGKILL');
    const created = await running;
    expect(created.filter((c) => c === 'failed')).toHaveLength(0);

    // Every listed package is whole: it downloads with the sha256 of its bytes.
    const listed = await listAll(lb, 'killed');
    expect(listed.map((p) => p.name).sort()).toEqual(files.map((_, i) => `k${i}`).sort());
    for (const pkg of listed) {
      const i = Number(pkg.name.slice(1));
      const res = await fetch(onReplica(pkg.cdn_url, 0), { headers: { 'X-Api-Key': deployment.adminKey } });
      expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(files[i]!));
    }
    // The same bytes upload again as a new version.
    const again = await uploadPackage<Created>(lb, 'killed', 'raw', files[0]!, 'k0.bin', {
      name: 'k0',
      version: '2',
    });
    expect(again.status).toBe(201);
    await deployment.replicas[1]!.restart();
  }, 180_000);
});
