import http from 'node:http';
import crypto from 'node:crypto';
import type { Package } from '../../../src/api/packages.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createAccount, uploadPackage } from '../../helpers/upload.js';
import { coreMetadata, projectHeaders, sdist, wheel } from '../../fixtures/packages/archives.js';
import { createRepo } from '../upload-helpers.js';

const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
const UPLOAD_LIMIT = 64 * 1024;

function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

function basic(key: string): string {
  return `Basic ${Buffer.from(`__token__:${key}`).toString('base64')}`;
}

interface Dist {
  filename: string;
  bytes: Buffer;
}

async function wheelOf(name: string, version: string, extra: [string, string][] = []): Promise<Dist> {
  const dist = name.replace(/[-_.]+/g, '_').toLowerCase();
  const bytes = await wheel(dist, version, coreMetadata(projectHeaders(name, version, extra), `# ${name}`));
  return { filename: `${dist}-${version}-py3-none-any.whl`, bytes };
}

async function sdistOf(name: string, version: string): Promise<Dist> {
  const dist = name.replace(/[-_.]+/g, '_').toLowerCase();
  return {
    filename: `${dist}-${version}.tar.gz`,
    bytes: await sdist(dist, version, coreMetadata(projectHeaders(name, version))),
  };
}

describe('the python index over HTTP', () => {
  let server: TestServer;
  let base: string;
  let readKey: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { uploadBytes: UPLOAD_LIMIT } }, { background: false });
    await createRepo(server.ctx.db, 'acme', 'dev');
    await createRepo(server.ctx.db, 'acme', 'prod');
    await createRepo(server.ctx.db, 'acme', 'pub', 'Public');
    readKey = await createAccount(server, 'reader', { dev: 'Read' });
    base = `${server.url}/pypi/acme`;
  });
  afterAll(async () => server.close());

  /** Sends the form twine sends: metadata fields, the action, the digest, then the file. */
  async function twineForm(
    repo: string,
    dist: Dist,
    overrides: Record<string, string | null> = {},
    key: string | null = server.adminKey,
  ): Promise<Response> {
    const form = new FormData();
    const fields: Record<string, string | null> = {
      metadata_version: '2.4',
      name: dist.filename.split('-')[0]!,
      version: (dist.filename.split('-')[1] ?? '').replace(/\.tar\.gz$/, ''),
      filetype: dist.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
      pyversion: dist.filename.endsWith('.whl') ? 'py3' : 'source',
      ':action': 'file_upload',
      protocol_version: '1',
      sha256_digest: sha256(dist.bytes),
      ...overrides,
    };
    for (const [k, v] of Object.entries(fields)) if (v !== null) form.append(k, v);
    form.append('content', new Blob([dist.bytes]), dist.filename);
    return fetch(`${base}/${repo}/`, {
      method: 'POST',
      body: form,
      headers: key ? { Authorization: basic(key) } : {},
    });
  }

  async function packagesNamed(repo: string, filename: string): Promise<Package[]> {
    const res = await api<Package[]>(
      server,
      'GET',
      `/packages/acme/${repo}/?query=${encodeURIComponent(`filename:${filename}`)}`,
    );
    return res.body.filter((p) => p.filename === filename);
  }

  const get = (path: string, headers: Record<string, string> = {}, key: string | null = server.adminKey) =>
    fetch(`${base}${path}`, {
      headers: { ...(key ? { Authorization: basic(key) } : {}), ...headers },
      redirect: 'manual',
    });

  describe('uploads', () => {
    it('stores a wheel and an sdist of one version as two python packages', async () => {
      const whl = await wheelOf('Alpha_Lib', '1.0', [['Requires-Python', '>=3.8']]);
      const tgz = await sdistOf('Alpha_Lib', '1.0');
      for (const dist of [whl, tgz]) {
        const res = await twineForm('dev', dist);
        expect(res.status).toBe(200);
      }
      const wheelPkg = (await packagesNamed('dev', whl.filename))[0]!;
      expect(wheelPkg).toMatchObject({
        format: 'python',
        name: 'Alpha_Lib',
        version: '1.0',
        package_type: 1,
      });
      expect((await packagesNamed('dev', tgz.filename))[0]).toMatchObject({
        package_type: 2,
        version: '1.0',
      });
    });

    it('refuses a file name the repository already holds with the 400 twine --skip-existing recognises', async () => {
      const res = await twineForm('dev', await wheelOf('Alpha_Lib', '1.0', [['Requires-Python', '>=3.8']]));
      expect(res.status).toBe(400);
      expect(res.statusText).toMatch(/^File already exists/);
      expect(await res.json()).toMatchObject({
        code: 'file_exists',
        detail: expect.stringContaining('alpha_lib-1.0-py3-none-any.whl'),
      });
    });

    it('refuses a wheel whose file name and METADATA disagree, naming both, and stores nothing', async () => {
      const inner = await wheelOf('beta', '2.0');
      const dist = { filename: 'gamma-2.0-py3-none-any.whl', bytes: inner.bytes };
      const res = await twineForm('dev', dist, { name: 'gamma' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { detail: string; code: string };
      expect(body.code).toBe('upload_refused');
      expect(body.detail).toMatch(
        /'gamma-2\.0-py3-none-any\.whl' says name 'gamma' version '2\.0'.*METADATA says name 'beta'/,
      );
      expect(res.statusText).toBe(body.detail);
      expect(await packagesNamed('dev', dist.filename)).toEqual([]);
      // Refused from the bytes in memory, before they were committed: not even a blob to collect.
      expect(await server.ctx.blobs.has(sha256(dist.bytes))).toBe(false);
      const rows = await server.ctx.db
        .selectFrom('blobs')
        .select('sha256')
        .where('sha256', '=', sha256(dist.bytes))
        .execute();
      expect(rows).toEqual([]);
    });

    it('refuses a version in the file name that the METADATA does not have', async () => {
      const inner = await wheelOf('beta', '2.0');
      const res = await twineForm('dev', { filename: 'beta-2.1-py3-none-any.whl', bytes: inner.bytes });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        detail: expect.stringMatching(/version '2\.1'.*version '2\.0'/),
      });
    });

    it('refuses form fields that disagree with the metadata', async () => {
      const res = await twineForm('dev', await wheelOf('beta', '2.0'), { name: 'other' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        fields: { name: [expect.stringMatching(/'other'.*'beta'/)] },
      });
    });

    it('refuses bytes whose sha256 is not the declared sha256_digest, and stores nothing', async () => {
      const dist = await wheelOf('delta', '1.0');
      const res = await twineForm('dev', dist, { sha256_digest: 'ab'.repeat(32) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { detail: string; fields: Record<string, string[]> };
      expect(body.detail).toMatch(/sha256_digest declared abab/);
      expect(Object.keys(body.fields)).toEqual(['sha256_digest']);
      expect(await packagesNamed('dev', dist.filename)).toEqual([]);
    });

    it('checks md5_digest too, and refuses a digest that is not hexadecimal', async () => {
      const dist = await wheelOf('delta', '1.0');
      const md5 = await twineForm('dev', dist, { md5_digest: '0'.repeat(32) });
      expect(md5.status).toBe(400);
      expect(md5.statusText).toMatch(/MD5/);
      const malformed = await twineForm('dev', dist, { sha256_digest: 'xyz' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({
        fields: { sha256_digest: [expect.stringMatching(/64 hexadecimal/)] },
      });
    });

    it('refuses an unknown :action, a missing one, and another protocol_version', async () => {
      const dist = await wheelOf('delta', '1.0');
      const unknown = await twineForm('dev', dist, { ':action': 'remove_pkg' });
      expect(unknown.status).toBe(400);
      expect(unknown.statusText).toBe("Unknown :action 'remove_pkg': this index takes 'file_upload' only.");
      const missing = await twineForm('dev', dist, { ':action': null });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({ fields: { ':action': [expect.any(String)] } });
      const protocol = await twineForm('dev', dist, { protocol_version: '2' });
      expect(protocol.status).toBe(400);
      expect(await packagesNamed('dev', dist.filename)).toEqual([]);
    });

    it('refuses a form without a content file, and a body that is not a form', async () => {
      const form = new FormData();
      form.append(':action', 'file_upload');
      const noFile = await fetch(`${base}/dev/`, {
        method: 'POST',
        body: form,
        headers: { Authorization: basic(server.adminKey) },
      });
      expect(noFile.status).toBe(400);
      expect(noFile.statusText).toMatch(/no 'content' file/);
      const json = await fetch(`${base}/dev/`, {
        method: 'POST',
        body: '{}',
        headers: { Authorization: basic(server.adminKey), 'Content-Type': 'application/json' },
      });
      expect(json.status).toBe(415);
    });

    it('refuses a file that is not a distribution', async () => {
      const res = await twineForm('dev', { filename: 'notes.txt', bytes: Buffer.from('hello') });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: 'upload_refused',
        detail: expect.stringMatching(/neither a wheel/),
      });
    });

    it('answers an oversize file with 413 and stores nothing', async () => {
      const big = { filename: 'huge-1.0-py3-none-any.whl', bytes: crypto.randomBytes(UPLOAD_LIMIT + 1024) };
      const res = await twineForm('dev', big);
      expect(res.status).toBe(413);
      expect(res.statusText).toMatch(/larger than this server accepts/);
      expect(await packagesNamed('dev', big.filename)).toEqual([]);
    });

    it('answers 413 from the declared length alone, before the body arrives', async () => {
      // The body is never sent: an answer at all shows the server did not wait to buffer it.
      const url = new URL(`${base}/dev/`);
      const answer = await new Promise<{ status: number; reason: string }>((resolve, reject) => {
        const req = http.request(url, {
          method: 'POST',
          headers: {
            Authorization: basic(server.adminKey),
            'Content-Type': 'multipart/form-data; boundary=x',
            'Content-Length': String(UPLOAD_LIMIT + 8 * 1024 * 1024),
          },
        });
        req.on('response', (res) => {
          resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '' });
          res.resume();
          req.destroy();
        });
        req.on('error', reject);
        req.write('--x\r\n');
      });
      expect(answer.status).toBe(413);
      expect(answer.reason).toMatch(/larger than this server accepts/);
    });

    it('needs Write: 401 with a Basic challenge anonymously or with a bad token, 403 with Read', async () => {
      const dist = await wheelOf('epsilon', '1.0');
      const anonymous = await twineForm('dev', dist, {}, null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
      const bad = await twineForm('dev', dist, {}, 'not-a-key');
      expect(bad.status).toBe(401);
      const reader = await twineForm('dev', dist, {}, readKey);
      expect(reader.status).toBe(403);
      expect(await packagesNamed('dev', dist.filename)).toEqual([]);
    });
  });

  describe('the simple pages', () => {
    beforeAll(async () => {
      for (const dist of [
        await wheelOf('zeta', '1.0'),
        await wheelOf('zeta', '2.0rc1'),
        await wheelOf('zeta', '1.5'),
      ]) {
        expect((await twineForm('dev', dist)).status).toBe(200);
      }
    });

    it('lists the projects as HTML by default and as PEP 691 JSON when asked', async () => {
      const html = await get('/dev/simple/');
      expect(html.headers.get('content-type')).toMatch(/^application\/vnd\.pypi\.simple\.v1\+html/);
      expect(await html.text()).toMatch(
        /<a href="alpha-lib\/">Alpha_Lib<\/a>.*\n.*<a href="zeta\/">zeta<\/a>/s,
      );
      const json = await get('/dev/simple/', { Accept: `${SIMPLE_JSON}, text/html;q=0.1` });
      expect(json.headers.get('content-type')).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
      expect(await json.json()).toEqual({
        meta: { 'api-version': '1.1' },
        projects: [{ name: 'Alpha_Lib' }, { name: 'zeta' }],
      });
    });

    it('follows the q-values of Accept', async () => {
      const html = await get('/dev/simple/zeta/', { Accept: `${SIMPLE_JSON};q=0.2, text/html` });
      expect(html.headers.get('content-type')).toMatch(/html/);
      const json = await get('/dev/simple/zeta/', { Accept: `text/html;q=0.5, ${SIMPLE_JSON};q=0.9` });
      expect(json.headers.get('content-type')).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
      const fallback = await get('/dev/simple/zeta/', { Accept: 'application/xml' });
      expect(fallback.headers.get('content-type')).toMatch(/html/);
    });

    it("renders a project's files with hashes, requires-python (escaped) and core metadata", async () => {
      const res = await get('/dev/simple/alpha-lib/');
      expect(res.status).toBe(200);
      const page = await res.text();
      const whl = await packagesNamed('dev', 'alpha_lib-1.0-py3-none-any.whl');
      const link = page.split('\n').find((l) => l.includes('alpha_lib-1.0-py3-none-any.whl'))!;
      expect(link).toContain(
        `href="../../files/alpha_lib-1.0-py3-none-any.whl#sha256=${whl[0]!.checksum_sha256}"`,
      );
      expect(link).toContain('data-requires-python="&gt;=3.8"');
      expect(link).toMatch(
        /data-dist-info-metadata="sha256=[0-9a-f]{64}" data-core-metadata="sha256=[0-9a-f]{64}"/,
      );
      const sdistLink = page.split('\n').find((l) => l.includes('alpha_lib-1.0.tar.gz'))!;
      expect(sdistLink).not.toContain('core-metadata');
    });

    it("serves each wheel's METADATA at <file URL>.metadata with the hash the page announces", async () => {
      const json = (await (await get('/dev/simple/alpha-lib/', { Accept: SIMPLE_JSON })).json()) as {
        files: { filename: string; url: string; 'core-metadata'?: { sha256: string } }[];
      };
      const file = json.files.find((f) => f.filename.endsWith('.whl'))!;
      const pageUrl = new URL(`${base}/dev/simple/alpha-lib/`);
      const metadata = await fetch(new URL(`${file.url}.metadata`, pageUrl), {
        headers: { Authorization: basic(server.adminKey) },
      });
      expect(metadata.status).toBe(200);
      const bytes = Buffer.from(await metadata.arrayBuffer());
      expect(bytes.toString()).toMatch(/^Metadata-Version: 2\.4\nName: Alpha_Lib\nVersion: 1\.0/);
      expect(sha256(bytes)).toBe(file['core-metadata']!.sha256);
      const ofSdist = await get('/dev/files/alpha_lib-1.0.tar.gz.metadata');
      expect(ofSdist.status).toBe(404);
    });

    it('gives PEP 691 JSON with hashes, sizes, versions and core-metadata under both names', async () => {
      const res = await get('/dev/simple/zeta/', { Accept: SIMPLE_JSON });
      const body = (await res.json()) as {
        name: string;
        versions: string[];
        files: Record<string, unknown>[];
      };
      expect(body.name).toBe('zeta');
      expect(body.versions).toEqual(['1.0', '1.5', '2.0rc1']);
      expect(body.files[0]).toMatchObject({
        filename: 'zeta-1.0-py3-none-any.whl',
        url: '../../files/zeta-1.0-py3-none-any.whl',
        hashes: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        'requires-python': null,
        size: expect.any(Number),
        yanked: false,
        'core-metadata': { sha256: expect.any(String) },
        'dist-info-metadata': { sha256: expect.any(String) },
      });
    });

    it('redirects other spellings of a name, and a URL without the slash, to the normalised URL', async () => {
      for (const path of ['/dev/simple/Alpha_Lib/', '/dev/simple/alpha.lib', '/dev/simple/alpha-lib']) {
        const res = await get(path);
        expect(res.status).toBe(301);
        expect(res.headers.get('location')).toBe('/pypi/acme/dev/simple/alpha-lib/');
      }
      const list = await get('/dev/simple');
      expect(list.headers.get('location')).toBe('/pypi/acme/dev/simple/');
    });

    it('answers 404 for an unknown project and for a name no project can have', async () => {
      expect((await get('/dev/simple/nothing-here/')).status).toBe(404);
      const odd = await get('/dev/simple/%3Cscript%3E/');
      expect(odd.status).toBe(404);
      expect(await odd.json()).toMatchObject({ code: 'not_found' });
    });

    it('marks a file tagged yanked (PEP 592) and keeps it listed', async () => {
      const [pkg] = await packagesNamed('dev', 'zeta-1.5-py3-none-any.whl');
      const tagged = await api(server, 'POST', `/packages/acme/dev/${pkg!.slug_perm}/tag/`, {
        action: 'add',
        tags: ['yanked'],
      });
      expect(tagged.status).toBe(200);
      const html = await (await get('/dev/simple/zeta/')).text();
      expect(html).toMatch(/zeta-1\.5-py3-none-any\.whl#sha256=[0-9a-f]+" [^>]*data-yanked=""/);
      const json = (await (await get('/dev/simple/zeta/', { Accept: SIMPLE_JSON })).json()) as {
        files: { filename: string; yanked: boolean }[];
      };
      expect(json.files.find((f) => f.filename.startsWith('zeta-1.5'))!.yanked).toBe(true);
      const api15 = (await (await get('/dev/pypi/zeta/json')).json()) as { info: { version: string } };
      expect(api15.info.version).toBe('1.0');
    });

    it('leaves a quarantined file out of the page and refuses its download', async () => {
      const dist = await wheelOf('eta', '1.0');
      expect((await twineForm('dev', dist)).status).toBe(200);
      const [pkg] = await packagesNamed('dev', dist.filename);
      expect((await api(server, 'POST', `/packages/acme/dev/${pkg!.slug_perm}/quarantine/`, {})).status).toBe(
        200,
      );
      expect((await get('/dev/simple/eta/')).status).toBe(404);
      const download = await get(`/dev/files/${dist.filename}`);
      expect(download.status).toBe(403);
      expect(await download.json()).toMatchObject({ code: 'quarantined' });
    });

    it('tags each page with an ETag of what it lists: 304 while unchanged, a new tag after a change', async () => {
      expect((await twineForm('dev', await wheelOf('kappa', '1.0'))).status).toBe(200);
      const html = await get('/dev/simple/kappa/');
      const htmlTag = html.headers.get('etag')!;
      expect(htmlTag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const json = await get('/dev/simple/kappa/', { Accept: SIMPLE_JSON });
      expect(json.headers.get('etag')).not.toBe(htmlTag);
      const again = await get('/dev/simple/kappa/', { 'If-None-Match': htmlTag });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('etag')).toBe(htmlTag);
      // The JSON form's holder does not get a 304 for the HTML form's tag.
      expect(
        (await get('/dev/simple/kappa/', { 'If-None-Match': htmlTag, Accept: SIMPLE_JSON })).status,
      ).toBe(200);

      expect((await twineForm('dev', await wheelOf('kappa', '1.1'))).status).toBe(200);
      const grown = await get('/dev/simple/kappa/', { 'If-None-Match': htmlTag });
      expect(grown.status).toBe(200);
      expect(await grown.text()).toContain('kappa-1.1-py3-none-any.whl');
      const grownTag = grown.headers.get('etag')!;
      expect(grownTag).not.toBe(htmlTag);

      const [pkg] = await packagesNamed('dev', 'kappa-1.0-py3-none-any.whl');
      await api(server, 'POST', `/packages/acme/dev/${pkg!.slug_perm}/tag/`, {
        action: 'add',
        tags: ['yanked'],
      });
      const yanked = await get('/dev/simple/kappa/', { 'If-None-Match': grownTag });
      expect(yanked.status).toBe(200);
      expect(await yanked.text()).toMatch(
        /kappa-1\.0-py3-none-any\.whl#sha256=[0-9a-f]+" [^>]*data-yanked=""/,
      );

      const list = await get('/dev/simple/');
      const listTag = list.headers.get('etag')!;
      expect((await get('/dev/simple/', { 'If-None-Match': `W/${listTag}` })).status).toBe(304);
    });

    it("answers a wheel's core metadata under the hash the page announces as its ETag", async () => {
      const page = (await (await get('/dev/simple/kappa/', { Accept: SIMPLE_JSON })).json()) as {
        files: { filename: string; 'core-metadata': { sha256: string } }[];
      };
      const file = page.files.find((f) => f.filename === 'kappa-1.1-py3-none-any.whl')!;
      const first = await get(`/dev/files/${file.filename}.metadata`);
      expect(first.headers.get('etag')).toBe(`"${file['core-metadata'].sha256}"`);
      const bytes = Buffer.from(await first.arrayBuffer());
      const second = await get(`/dev/files/${file.filename}.metadata`);
      expect(Buffer.from(await second.arrayBuffer()).equals(bytes)).toBe(true);
      expect(sha256(bytes)).toBe(file['core-metadata'].sha256);
      const cached = await get(`/dev/files/${file.filename}.metadata`, {
        'If-None-Match': `"${file['core-metadata'].sha256}"`,
      });
      expect(cached.status).toBe(304);
    });

    it('needs Read on a private repository and serves a public one anonymously', async () => {
      expect((await get('/dev/simple/', {}, null)).status).toBe(401);
      expect((await get('/dev/simple/', {}, readKey)).status).toBe(200);
      const dist = await wheelOf('theta', '1.0');
      expect((await twineForm('pub', dist)).status).toBe(200);
      const page = await get('/pub/simple/theta/', {}, null);
      expect(page.status).toBe(200);
      expect((await get(`/pub/files/${dist.filename}`, {}, null)).status).toBe(200);
    });
  });

  describe('files and the JSON API', () => {
    it('downloads a file whole, by range, and answers If-None-Match with 304', async () => {
      const dist = await wheelOf('iota', '1.0');
      expect((await twineForm('dev', dist)).status).toBe(200);
      const whole = await get(`/dev/files/${dist.filename}`);
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(dist.bytes)).toBe(true);
      expect(whole.headers.get('etag')).toBe(`"${sha256(dist.bytes)}"`);
      const part = await get(`/dev/files/${dist.filename}`, { Range: 'bytes=0-9' });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(dist.bytes.subarray(0, 10))).toBe(true);
      const outside = await get(`/dev/files/${dist.filename}`, { Range: `bytes=${dist.bytes.length + 5}-` });
      expect(outside.status).toBe(416);
      const cached = await get(`/dev/files/${dist.filename}`, { 'If-None-Match': `"${sha256(dist.bytes)}"` });
      expect(cached.status).toBe(304);
      expect((await get('/dev/files/missing-1.0.tar.gz')).status).toBe(404);
    });

    it('serves the JSON project API with the newest final release and every release', async () => {
      const res = await get('/dev/pypi/Alpha.Lib/json');
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        info: Record<string, unknown>;
        releases: Record<string, { filename: string; url: string; packagetype: string; digests: object }[]>;
        urls: unknown[];
      };
      expect(body.info).toMatchObject({ name: 'Alpha_Lib', version: '1.0', requires_python: '>=3.8' });
      expect(body.releases['1.0']!.map((f) => f.packagetype).sort()).toEqual(['bdist_wheel', 'sdist']);
      const fileUrl = body.releases['1.0']![0]!.url;
      expect(fileUrl).toMatch(new RegExp(`^${server.url}/pypi/acme/dev/files/alpha_lib-1\\.0`));
      expect((await fetch(fileUrl, { headers: { Authorization: basic(server.adminKey) } })).status).toBe(200);
      expect(body.urls).toHaveLength(2);
    });

    it('serves one version at /{version}/json and 404 for a version it does not have', async () => {
      const one = (await (await get('/dev/pypi/zeta/2.0rc1/json')).json()) as {
        info: { version: string };
        urls: unknown[];
      };
      expect(one.info.version).toBe('2.0rc1');
      expect(one.urls).toHaveLength(1);
      expect((await get('/dev/pypi/zeta/9.9/json')).status).toBe(404);
    });
  });

  describe('packages from other paths', () => {
    it('lists a wheel created through the packages API', async () => {
      const dist = await wheelOf('kappa', '3.0');
      const created = await uploadPackage(server, 'dev', 'python', dist.bytes, dist.filename);
      expect(created.status).toBe(201);
      const page = await (await get('/dev/simple/kappa/')).text();
      expect(page).toContain(`kappa-3.0-py3-none-any.whl#sha256=${sha256(dist.bytes)}`);
    });

    it('makes a promoted (copied) wheel installable from the destination at once', async () => {
      const dist = await wheelOf('lambda', '1.0');
      expect((await twineForm('dev', dist)).status).toBe(200);
      const [pkg] = await packagesNamed('dev', dist.filename);
      const copied = await api(server, 'POST', `/packages/acme/dev/${pkg!.slug_perm}/copy/`, {
        destination: 'prod',
      });
      expect(copied.status).toBe(200);
      const page = await (await get('/prod/simple/lambda/')).text();
      expect(page).toContain(`lambda-1.0-py3-none-any.whl#sha256=${sha256(dist.bytes)}`);
      const file = await get(`/prod/files/${dist.filename}`);
      expect(Buffer.from(await file.arrayBuffer()).equals(dist.bytes)).toBe(true);
    });

    it('serves the index under /v1 as well, with the JSON API linking there', async () => {
      const res = await fetch(`${server.url}/v1/pypi/acme/dev/pypi/kappa/json`, {
        headers: { Authorization: basic(server.adminKey) },
      });
      const body = (await res.json()) as { urls: { url: string }[] };
      expect(body.urls[0]!.url).toMatch(new RegExp(`^${server.url}/v1/pypi/acme/dev/files/`));
    });
  });
});
