import http from 'node:http';
import zlib from 'node:zlib';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { createRepo } from '../../helpers/upload.js';
import { publish } from './npm-helpers.js';

const ABBREVIATED = 'application/vnd.npm.install-v1+json';

let server: TestServer;

/** What came over the wire: status, headers and the bytes as sent (not inflated). */
interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
}

// node:http rather than fetch: fetch asks for gzip on its own and inflates what it gets.
function rawGet(name: string, headers: Record<string, string>): Promise<RawAnswer> {
  const url = `${server.url}/npm/${server.org}/dev/${name}`;
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { headers: { authorization: `Bearer ${server.adminKey}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, bytes: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

beforeAll(async () => {
  server = await startTestServer({}, { background: false });
  await createRepo(server, 'dev');
  // Enough versions with dependencies that the abbreviated packument is a few KiB.
  const dependencies = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [`dependency-${i}`, `^${i}.0.0`]),
  );
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) {
    expect((await publish(server, 'dev', 'large', v, { manifest: { dependencies } })).status).toBe(201);
  }
  expect((await publish(server, 'dev', 'small', '1.0.0')).status).toBe(201);
});

afterAll(async () => {
  await server?.close();
});

describe('packuments for clients that accept gzip', () => {
  it.each([['gzip, deflate'], ['deflate, gzip;q=0.5'], ['*']])(
    'arrive gzipped when Accept-Encoding is %s, and inflate to the plain answer',
    async (acceptEncoding) => {
      for (const accept of [ABBREVIATED, 'application/json']) {
        const plain = await rawGet('large', { accept });
        const zipped = await rawGet('large', { accept, 'accept-encoding': acceptEncoding });
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(zipped.headers['content-encoding']).toBe('gzip');
        expect(zipped.bytes.length).toBeLessThan(plain.bytes.length);
        expect(zlib.gunzipSync(zipped.bytes).toString('utf8')).toBe(plain.bytes.toString('utf8'));
        expect(zipped.headers.etag).toBe(plain.headers.etag);
        expect(zipped.headers.vary).toMatch(/Accept-Encoding/);
      }
    },
  );

  it.each([['identity'], ['gzip;q=0, deflate'], ['*, gzip;q=0'], ['br']])(
    'arrive plain when Accept-Encoding is %s',
    async (acceptEncoding) => {
      const res = await rawGet('large', { accept: ABBREVIATED, 'accept-encoding': acceptEncoding });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(JSON.parse(res.bytes.toString('utf8'))).toMatchObject({ name: 'large' });
    },
  );

  it('arrive plain when they are too small for gzip to pay', async () => {
    const res = await rawGet('small', { accept: ABBREVIATED, 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(res.bytes.toString('utf8'))).toMatchObject({ name: 'small' });
  });

  it('answer a revalidation with 304 whatever the encoding', async () => {
    const first = await rawGet('large', { accept: ABBREVIATED, 'accept-encoding': 'gzip' });
    const again = await rawGet('large', {
      accept: ABBREVIATED,
      'accept-encoding': 'gzip',
      'if-none-match': String(first.headers.etag),
    });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
  });
});
