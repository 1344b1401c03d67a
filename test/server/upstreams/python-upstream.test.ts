import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { RepoRef } from '../../../src/server/domain/package-writes.js';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { DEFAULT_TIMING } from '../../../src/server/upstreams/fetch.js';
import {
  fetchUpstreamFile,
  readProjectPage,
  serveProject,
  versionFromFilename,
} from '../../../src/server/upstreams/python.js';
import { coreMetadata, projectHeaders, wheel } from '../../fixtures/packages/archives.js';
import { callApi } from '../../helpers/principals.js';
import type { FetchedArtifact } from '../../../src/server/upstreams/artifacts.js';

async function readAll(artifact: FetchedArtifact): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await artifact.open()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
import { startTestServer, tempDir, type TestServer } from '../../helpers/server.js';

/** A static simple index on loopback: paths to bytes, every request counted. */
async function startIndex(files: Map<string, { body: Buffer | string; type: string }>) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const file = files.get(req.url ?? '');
    if (!file) {
      res.writeHead(404).end('not here');
      return;
    }
    res.writeHead(200, { 'content-type': file.type }).end(file.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('readProjectPage', () => {
  it('reads an HTML page: hashes, requires-python, yanked, relative links', () => {
    const html = `<!DOCTYPE html><html><body>
      <a href="../../files/demo_pkg-1.0.0-py3-none-any.whl#sha256=${'a'.repeat(64)}" data-requires-python="&gt;=3.8">demo_pkg-1.0.0-py3-none-any.whl</a>
      <a href="https://files.example/demo-pkg-0.9.tar.gz" data-yanked="broken">demo-pkg-0.9.tar.gz</a>
      <a href="/x/README.txt">README.txt</a>
    </body></html>`;
    const files = readProjectPage(html, 'http://127.0.0.1:1/simple/demo-pkg/');
    expect(files).toEqual([
      {
        filename: 'demo_pkg-1.0.0-py3-none-any.whl',
        url: 'http://127.0.0.1:1/files/demo_pkg-1.0.0-py3-none-any.whl',
        sha256: 'a'.repeat(64),
        requiresPython: '>=3.8',
        yanked: false,
        version: '1.0.0',
      },
      {
        filename: 'demo-pkg-0.9.tar.gz',
        url: 'https://files.example/demo-pkg-0.9.tar.gz',
        sha256: null,
        requiresPython: null,
        yanked: 'broken',
        version: '0.9',
      },
    ]);
  });

  it('reads a JSON page (PEP 691)', () => {
    const json = JSON.stringify({
      meta: { 'api-version': '1.0' },
      name: 'demo-pkg',
      files: [
        {
          filename: 'demo_pkg-2.0-py3-none-any.whl',
          url: '/f/w.whl',
          hashes: { sha256: 'B'.repeat(64) },
          yanked: true,
        },
      ],
    });
    expect(readProjectPage(json, 'http://127.0.0.1:1/simple/demo-pkg/')).toEqual([
      expect.objectContaining({
        version: '2.0',
        sha256: 'b'.repeat(64),
        yanked: true,
        url: 'http://127.0.0.1:1/f/w.whl',
      }),
    ]);
  });

  it.each([
    ['demo_pkg-1.2.3-py3-none-any.whl', '1.2.3'],
    ['demo-pkg-1.2.3.tar.gz', '1.2.3'],
    ['demo.pkg-1.0rc1.zip', '1.0rc1'],
    ['README.txt', null],
  ])('reads the version of %s', (filename, version) => {
    expect(versionFromFilename(filename)).toBe(version);
  });
});

describe('Python upstreams', () => {
  let server: TestServer;
  let index: Awaited<ReturnType<typeof startIndex>>;
  let offset = 0;
  const wheels = new Map<string, Buffer>();
  let advisoryId: string;

  const api = <T>(method: string, p: string, body?: unknown) =>
    callApi<T>(server.url, server.adminKey, method, p, body);

  async function makeRepo(): Promise<{ slug: string; repo: RepoRef }> {
    const repo = await api<{ slug: string; slug_perm: string }>('POST', '/repos/acme/', {
      name: `py-${crypto.randomBytes(3).toString('hex')}`,
    });
    const up = await api('POST', `/repos/acme/${repo.body.slug}/upstream/python/`, {
      name: 'index',
      upstream_url: `${index.url}/simple/`,
      mode: 'Cache and Proxy',
    });
    expect(up.status).toBe(201);
    const org = await server.ctx.db
      .selectFrom('orgs')
      .select('id')
      .where('slug', '=', 'acme')
      .executeTakeFirstOrThrow();
    return {
      slug: repo.body.slug,
      repo: { id: repo.body.slug_perm, orgId: org.id, path: `acme/${repo.body.slug}` },
    };
  }

  beforeAll(async () => {
    server = await startTestServer({}, { clock: () => new Date(Date.now() + offset) });
    for (const v of ['1.0.0', '1.1.0']) {
      wheels.set(v, await wheel('demo_pkg', v, coreMetadata(projectHeaders('demo-pkg', v))));
    }
    const tampered = await wheel('demo_pkg', '1.2.0', coreMetadata(projectHeaders('demo-pkg', '1.2.0')));
    const links = [...wheels]
      .map(
        ([v, b]) =>
          `<a href="/files/demo_pkg-${v}-py3-none-any.whl#sha256=${sha256(b)}">demo_pkg-${v}-py3-none-any.whl</a>`,
      )
      .concat(
        `<a href="/files/demo_pkg-1.2.0-py3-none-any.whl#sha256=${'0'.repeat(64)}">demo_pkg-1.2.0-py3-none-any.whl</a>`,
      );
    const files = new Map<string, { body: Buffer | string; type: string }>([
      ['/simple/demo-pkg/', { body: `<html><body>${links.join('\n')}</body></html>`, type: 'text/html' }],
      ['/files/demo_pkg-1.2.0-py3-none-any.whl', { body: tampered, type: 'application/octet-stream' }],
    ]);
    for (const [v, b] of wheels)
      files.set(`/files/demo_pkg-${v}-py3-none-any.whl`, { body: b, type: 'application/octet-stream' });
    index = await startIndex(files);

    advisoryId = `AIRLOCK-PY-${crypto.randomBytes(3).toString('hex')}`;
    const dir = tempDir('airlock-osv-');
    fs.writeFileSync(
      path.join(dir, `${advisoryId}.json`),
      JSON.stringify({
        id: advisoryId,
        modified: '2026-01-01T00:00:00Z',
        summary: 'demo-pkg 1.0.0 is unsafe',
        affected: [
          {
            package: { ecosystem: 'PyPI', name: 'demo-pkg' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.0' }] }],
            database_specific: { severity: 'HIGH' },
          },
        ],
      }),
    );
    await importAdvisories(server.ctx.db, dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    // The last test stops the index itself.
    await index?.stop().catch(() => undefined);
    await server?.close();
  });

  it('caches the project page and keeps a verified wheel as a python Package', async () => {
    const { slug, repo } = await makeRepo();
    const served = await serveProject(server.ctx, repo, 'Demo_Pkg');
    expect(served!.files.map((f) => f.version)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    expect(served!.stale).toBe(false);
    const fetched = await fetchUpstreamFile(server.ctx, repo, 'Demo_Pkg', 'demo_pkg-1.1.0-py3-none-any.whl');
    expect((await readAll(fetched!)).equals(wheels.get('1.1.0')!)).toBe(true);
    expect(fetched!.packageId).not.toBeNull();
    const pkgs = await api<Array<{ format: string; name: string; version: string }>>(
      'GET',
      `/packages/acme/${slug}/`,
    );
    expect(pkgs.body.map((p) => `${p.format}:${p.name}@${p.version}`)).toEqual(['python:demo-pkg@1.1.0']);
    expect(
      await fetchUpstreamFile(server.ctx, repo, 'demo-pkg', 'demo_pkg-9.9.9-py3-none-any.whl'),
    ).toBeNull();
  });

  it('leaves the files of a blocked version out and refuses them naming the advisory', async () => {
    const policy = await api<{ slug_perm: string }>('POST', '/orgs/acme/vulnerability-policy/', {
      name: 'python highs',
      min_severity: 'High',
      on_violation_quarantine: true,
      package_query_string: 'format:python',
    });
    expect(policy.status).toBe(201);
    try {
      const { repo } = await makeRepo();
      const served = await serveProject(server.ctx, repo, 'demo-pkg');
      expect(served!.hidden).toEqual(['1.0.0']);
      expect(served!.files.map((f) => f.version)).toEqual(['1.1.0', '1.2.0']);
      const refused = fetchUpstreamFile(server.ctx, repo, 'demo-pkg', 'demo_pkg-1.0.0-py3-none-any.whl');
      await expect(refused).rejects.toMatchObject({ code: 'download_denied' });
      await expect(refused).rejects.toThrow(advisoryId);
    } finally {
      await api('DELETE', `/orgs/acme/vulnerability-policy/${policy.body.slug_perm}/`);
    }
  });

  it('refuses a file whose bytes do not match the sha256 of the page, storing nothing', async () => {
    const { slug, repo } = await makeRepo();
    const attempt = fetchUpstreamFile(server.ctx, repo, 'demo-pkg', 'demo_pkg-1.2.0-py3-none-any.whl');
    await expect(attempt).rejects.toMatchObject({ code: 'upstream_failed' });
    await expect(attempt).rejects.toThrow(/sha256 .*Nothing was stored/);
    expect((await api<unknown[]>('GET', `/packages/acme/${slug}/`)).body).toHaveLength(0);
  });

  it('serves the cached page stale when the index is down', async () => {
    const { repo } = await makeRepo();
    expect((await serveProject(server.ctx, repo, 'demo-pkg'))!.stale).toBe(false);
    await index.stop();
    offset += DEFAULT_TIMING.documentTtlMs + 1000;
    const stale = await serveProject(server.ctx, repo, 'demo-pkg');
    expect(stale!.stale).toBe(true);
    expect(stale!.files).toHaveLength(3);
  });
});
