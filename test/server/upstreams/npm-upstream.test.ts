import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../../src/server/domain/errors.js';
import type { RepoRef } from '../../../src/server/domain/package-writes.js';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { DEFAULT_TIMING } from '../../../src/server/upstreams/fetch.js';
import { fetchUpstreamTarball, servePackument, type NpmTarget } from '../../../src/server/upstreams/npm.js';
import { npmTarball } from '../../fixtures/packages/archives.js';
import { callApi } from '../../helpers/principals.js';
import type { FetchedArtifact } from '../../../src/server/upstreams/artifacts.js';

async function readAll(artifact: FetchedArtifact): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await artifact.open()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
import { startScriptedServer, type ScriptedServer } from '../../helpers/scripted-server.js';
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';
import { startVerdaccio, type Verdaccio } from '../../helpers/verdaccio.js';

const TTL = DEFAULT_TIMING.documentTtlMs;
const NAME = 'fw-demo';

describe('npm upstreams against a real registry (Verdaccio)', () => {
  let server: TestServer;
  let verdaccio: Verdaccio;
  let offset = 0;
  const later = (ms: number): void => {
    offset += ms;
  };

  const api = <T>(method: string, p: string, body?: unknown) =>
    callApi<T>(server.url, server.adminKey, method, p, body);

  async function makeRepo(
    upstreamUrl: string,
    mode = 'Cache and Proxy',
  ): Promise<NpmTarget & { slug: string }> {
    const repo = await api<{ slug: string; slug_perm: string }>('POST', '/repos/acme/', {
      name: `up-${crypto.randomBytes(3).toString('hex')}`,
    });
    expect(repo.status).toBe(201);
    const up = await api('POST', `/repos/acme/${repo.body.slug}/upstream/npm/`, {
      name: 'registry',
      upstream_url: upstreamUrl,
      mode,
    });
    expect(up.status).toBe(201);
    const org = await server.ctx.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    const ref: RepoRef = { id: repo.body.slug_perm, orgId: org.id, path: `acme/${repo.body.slug}` };
    return {
      slug: repo.body.slug,
      repo: ref,
      tarballUrl: (name, file) => `${server.url}/npm/acme/${repo.body.slug}/${name}/-/${file}`,
    };
  }

  const serve = (target: NpmTarget, abbreviated = false) =>
    servePackument(server.ctx, target, NAME, null, { abbreviated });

  beforeAll(async () => {
    server = await startTestServer({}, { clock: () => new Date(Date.now() + offset) });
    verdaccio = await startVerdaccio();
    await verdaccio.publish(NAME, '1.0.0');
    await verdaccio.publish(NAME, '1.1.0');
  });
  afterAll(async () => {
    await verdaccio?.close();
    await server?.close();
  });

  it('fills the cache: the packument points at this registry and a tarball becomes a scanned Package', async () => {
    const target = await makeRepo(verdaccio.url);
    const served = await serve(target);
    expect(served).not.toBeNull();
    expect(Object.keys(served!.packument.versions).sort()).toEqual(['1.0.0', '1.1.0']);
    expect(served!.packument['dist-tags'].latest).toBe('1.1.0');
    expect(served!.stale).toBe(false);
    const dist = served!.packument.versions['1.0.0']!.dist as Record<string, string>;
    expect(dist.tarball).toBe(target.tarballUrl(NAME, 'fw-demo-1.0.0.tgz'));

    const fetched = await fetchUpstreamTarball(server.ctx, target.repo, NAME, 'fw-demo-1.0.0.tgz');
    const original = Buffer.from(
      await (await fetch(`${verdaccio.url}/${NAME}/-/fw-demo-1.0.0.tgz`)).arrayBuffer(),
    );
    expect((await readAll(fetched!)).equals(original)).toBe(true);
    expect(fetched!.packageId).not.toBeNull();

    const pkgs = await api<
      Array<{ name: string; version: string; format: string; checksum_sha256: string; slug_perm: string }>
    >('GET', `/packages/acme/${target.slug}/`);
    expect(pkgs.body).toHaveLength(1);
    expect(pkgs.body[0]).toMatchObject({ name: NAME, version: '1.0.0', format: 'npm' });
    expect(pkgs.body[0]!.checksum_sha256).toBe(crypto.createHash('sha256').update(original).digest('hex'));
    expect(await server.ctx.blobs.has(fetched!.sha256)).toBe(true);
    // Created through the normal path: announced, so the scanner takes it up like any upload.
    const status = await api<{ security_scan_status: string }>(
      'GET',
      `/packages/acme/${target.slug}/${pkgs.body[0]!.slug_perm}/`,
    );
    expect(status.body.security_scan_status).not.toBe('');

    // A second fetch finds the package already there: still one.
    await fetchUpstreamTarball(server.ctx, target.repo, NAME, 'fw-demo-1.0.0.tgz');
    expect((await api<unknown[]>('GET', `/packages/acme/${target.slug}/`)).body).toHaveLength(1);
  });

  it('serves only an abbreviated manifest when asked for one', async () => {
    const target = await makeRepo(verdaccio.url);
    const served = await serve(target, true);
    expect(Object.keys(served!.packument).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions']);
    expect(Object.keys(served!.packument.versions['1.0.0']!).sort()).toEqual(['dist', 'name', 'version']);
  });

  it('keeps nothing in Proxy Only mode', async () => {
    const target = await makeRepo(verdaccio.url, 'Proxy Only');
    const fetched = await fetchUpstreamTarball(server.ctx, target.repo, NAME, 'fw-demo-1.1.0.tgz');
    expect((await readAll(fetched!)).length).toBe(fetched!.size);
    expect(fetched!.size).toBeGreaterThan(0);
    expect(fetched!.packageId).toBeNull();
    expect((await api<unknown[]>('GET', `/packages/acme/${target.slug}/`)).body).toHaveLength(0);
  });

  it('serves the cached packument stale while the upstream is down, and sees a later publish after revalidation', async () => {
    const target = await makeRepo(verdaccio.url);
    expect((await serve(target))!.stale).toBe(false);
    await verdaccio.stop();
    try {
      later(TTL + 1000);
      const stale = await serve(target);
      expect(stale!.stale).toBe(true);
      expect(Object.keys(stale!.packument.versions).sort()).toEqual(['1.0.0', '1.1.0']);
    } finally {
      await verdaccio.start();
    }
    await verdaccio.publish(NAME, '1.2.0');
    // A stale answer does not count as fresh: the next read asks the upstream again.
    const fresh = await serve(target);
    expect(fresh!.stale).toBe(false);
    expect(Object.keys(fresh!.packument.versions).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    expect(fresh!.packument['dist-tags'].latest).toBe('1.2.0');
  });

  it('answers a miss with null and an unreachable upstream with nothing cached as upstream_failed', async () => {
    const target = await makeRepo(verdaccio.url);
    expect(
      await servePackument(server.ctx, target, 'no-such-package', null, { abbreviated: false }),
    ).toBeNull();
    const dead = await makeRepo('http://127.0.0.1:9');
    await expect(serve(dead)).rejects.toThrow(/No upstream could be asked for 'npm:fw-demo'/);
  });

  describe('the firewall', () => {
    let advisoryId: string;

    beforeAll(async () => {
      advisoryId = `AIRLOCK-TEST-${crypto.randomBytes(3).toString('hex')}`;
      const dir = tempDir('airlock-osv-');
      fs.writeFileSync(
        path.join(dir, `${advisoryId}.json`),
        JSON.stringify({
          id: advisoryId,
          modified: '2026-01-01T00:00:00Z',
          summary: 'fw-demo before 1.1.0 runs what it is given',
          affected: [
            {
              package: { ecosystem: 'npm', name: NAME },
              ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.1.0' }] }],
              database_specific: { severity: 'CRITICAL' },
            },
          ],
        }),
      );
      const result = await importAdvisories(server.ctx.db, dir);
      expect(result.added).toContain(advisoryId);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('with no blocking policy, blocks nothing', async () => {
      const target = await makeRepo(verdaccio.url);
      expect((await serve(target))!.hidden).toEqual([]);
    });

    describe('with a quarantining vulnerability policy', () => {
      let policy: string;
      beforeAll(async () => {
        const res = await api<{ slug_perm: string }>('POST', '/orgs/acme/vulnerability-policy/', {
          name: 'no criticals',
          min_severity: 'High',
          on_violation_quarantine: true,
          package_query_string: `name:${NAME}`,
        });
        expect(res.status).toBe(201);
        policy = res.body.slug_perm;
      });
      afterAll(async () => {
        await api('DELETE', `/orgs/acme/vulnerability-policy/${policy}/`);
      });

      it('hides the vulnerable version and refuses its tarball naming the advisory', async () => {
        const target = await makeRepo(verdaccio.url);
        const served = await serve(target);
        expect(served!.hidden).toEqual(['1.0.0']);
        expect(Object.keys(served!.packument.versions)).not.toContain('1.0.0');
        expect(Object.keys((served!.packument.time ?? {}) as object)).not.toContain('1.0.0');
        const refused = fetchUpstreamTarball(server.ctx, target.repo, NAME, 'fw-demo-1.0.0.tgz');
        await expect(refused).rejects.toThrow(new RegExp(`fw-demo@1.0.0 is blocked .*${advisoryId}`));
        await expect(refused).rejects.toMatchObject({ code: 'download_denied' });
        expect((await api<unknown[]>('GET', `/packages/acme/${target.slug}/`)).body).toHaveLength(0);
        const audit = await api<Array<{ event: string; context: Record<string, unknown> }>>(
          'GET',
          '/audit-log/acme/',
        );
        const refusal = audit.body.find((e) => e.event === 'firewall.download_refused');
        expect(refusal?.context.advisories).toEqual([advisoryId]);
        expect(audit.body.some((e) => e.event === 'firewall.versions_hidden')).toBe(true);
      });

      it('in refuse mode lists the version but still refuses its tarball', async () => {
        const target = await makeRepo(verdaccio.url);
        expect(
          (await api('PUT', `/repos/acme/${target.slug}/upstream-firewall/`, { mode: 'refuse' })).status,
        ).toBe(200);
        const served = await serve(target);
        expect(served!.hidden).toEqual([]);
        expect(Object.keys(served!.packument.versions)).toContain('1.0.0');
        await expect(
          fetchUpstreamTarball(server.ctx, target.repo, NAME, 'fw-demo-1.0.0.tgz'),
        ).rejects.toThrow(advisoryId);
      });
    });

    it('moves latest off a version a deny policy blocks', async () => {
      const deny = await api<{ slug_perm: string }>('POST', '/orgs/acme/deny-policy/', {
        name: 'not 1.2.0',
        package_query_string: `name:^${NAME}$ version:1.2.0`,
        enabled: true,
      });
      expect(deny.status).toBe(201);
      try {
        const target = await makeRepo(verdaccio.url);
        const served = await serve(target);
        expect(served!.hidden).toEqual(['1.2.0']);
        expect(served!.packument['dist-tags'].latest).toBe('1.1.0');
        await expect(
          fetchUpstreamTarball(server.ctx, target.repo, NAME, 'fw-demo-1.2.0.tgz'),
        ).rejects.toThrow(/deny policy 'not 1.2.0'/);
      } finally {
        await api('DELETE', `/orgs/acme/deny-policy/${deny.body.slug_perm}/`);
      }
    });
  });
});

describe('npm upstreams against a scripted registry', () => {
  let server: TestServer;
  let upstream: ScriptedServer;
  let offset = 0;

  beforeAll(async () => {
    server = await startTestServer({}, { clock: () => new Date(Date.now() + offset) });
    upstream = await startScriptedServer();
  });
  afterAll(async () => {
    await upstream?.close();
    await server?.close();
  });

  async function target(): Promise<NpmTarget & { slug: string }> {
    const repo = await callApi<{ slug: string; slug_perm: string }>(
      server.url,
      server.adminKey,
      'POST',
      '/repos/acme/',
      {
        name: `s-${crypto.randomBytes(3).toString('hex')}`,
      },
    );
    await callApi(server.url, server.adminKey, 'POST', `/repos/acme/${repo.body.slug}/upstream/npm/`, {
      name: 'scripted',
      upstream_url: upstream.url,
      mode: 'Cache and Proxy',
    });
    const org = await server.ctx.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    return {
      slug: repo.body.slug,
      repo: { id: repo.body.slug_perm, orgId: org.id, path: `acme/${repo.body.slug}` },
      tarballUrl: (name, file) => `${server.url}/npm/acme/${repo.body.slug}/${name}/-/${file}`,
    };
  }

  it('refuses a tarball whose bytes do not match the declared integrity, storing nothing', async () => {
    const good = await npmTarball({ name: 'tampered', version: '1.0.0' });
    const evil = await npmTarball({
      name: 'tampered',
      version: '1.0.0',
      description: 'not what was published',
    });
    upstream.on('GET', '/tampered', {
      status: 200,
      json: {
        name: 'tampered',
        'dist-tags': { latest: '1.0.0' },
        versions: {
          '1.0.0': {
            name: 'tampered',
            version: '1.0.0',
            dist: {
              tarball: `${upstream.url}/tampered/-/tampered-1.0.0.tgz`,
              integrity: `sha512-${crypto.createHash('sha512').update(good).digest('base64')}`,
            },
          },
        },
      },
    });
    upstream.on('GET', '/tampered/-/tampered-1.0.0.tgz', {
      status: 200,
      text: evil.toString('latin1'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const t = await target();
    const blobsBefore = await server.ctx.db.selectFrom('blobs').select('sha256').execute();
    const attempt = fetchUpstreamTarball(server.ctx, t.repo, 'tampered', 'tampered-1.0.0.tgz');
    await expect(attempt).rejects.toBeInstanceOf(ServiceError);
    await expect(attempt).rejects.toMatchObject({ code: 'upstream_failed' });
    await expect(attempt).rejects.toThrow(/do not match the integrity .*Nothing was stored/);
    const pkgs = await callApi<unknown[]>(server.url, server.adminKey, 'GET', `/packages/acme/${t.slug}/`);
    expect(pkgs.body).toHaveLength(0);
    expect(await server.ctx.db.selectFrom('blobs').select('sha256').execute()).toEqual(blobsBefore);
  });

  it('revalidates an expired packument with its ETag and keeps serving it on 304', async () => {
    const doc = {
      name: 'etagged',
      'dist-tags': { latest: '1.0.0' },
      versions: {
        '1.0.0': {
          name: 'etagged',
          version: '1.0.0',
          dist: { tarball: `${upstream.url}/x.tgz`, shasum: 'aa' },
        },
      },
    };
    upstream.on('GET', '/etagged', { status: 200, json: doc, headers: { etag: '"v1"' } }, (req) =>
      req.headers['if-none-match'] === '"v1"'
        ? { status: 304, text: '' }
        : { status: 500, text: 'no validator' },
    );
    const t = await target();
    const first = await servePackument(server.ctx, t, 'etagged', null, { abbreviated: false });
    expect(Object.keys(first!.packument.versions)).toEqual(['1.0.0']);
    offset += TTL + 1000;
    const second = await servePackument(server.ctx, t, 'etagged', null, { abbreviated: false });
    expect(second!.stale).toBe(false);
    expect(Object.keys(second!.packument.versions)).toEqual(['1.0.0']);
    const calls = upstream.calls('GET', '/etagged');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['if-none-match']).toBe('"v1"');
  });

  it('sends an upstream token as a bearer credential', async () => {
    upstream.on('GET', '/authed', { status: 200, json: { name: 'authed', 'dist-tags': {}, versions: {} } });
    const t = await target();
    const list = await callApi<Array<{ slug_perm: string }>>(
      server.url,
      server.adminKey,
      'GET',
      `/repos/acme/${t.slug}/upstream/npm/`,
    );
    await callApi(
      server.url,
      server.adminKey,
      'PATCH',
      `/repos/acme/${t.slug}/upstream/npm/${list.body[0]!.slug_perm}/`,
      {
        auth_mode: 'Token',
        auth_secret: 'tok-secret-1',
      },
    );
    await servePackument(server.ctx, t, 'authed', null, { abbreviated: false });
    expect(upstream.calls('GET', '/authed').at(-1)!.headers.authorization).toBe('Bearer tok-secret-1');
  });
});
