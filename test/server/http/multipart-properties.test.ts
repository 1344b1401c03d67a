import fc from 'fast-check';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createRepo } from '../../helpers/upload.js';

// The two multipart readers (the official CLI's `post` upload form, and the Python index's upload
// form) read bytes from anyone who can reach the port. Whatever the form, the answer is a 2xx or
// a 4xx `{detail, code}`, never a 5xx and never a hang.

interface Part {
  name: string;
  filename: string | null;
  type: string | null;
  data: string;
}

const part: fc.Arbitrary<Part> = fc.record({
  name: fc.oneof(
    fc.constantFrom(
      'file',
      'content',
      ':action',
      'protocol_version',
      'name',
      'version',
      'filetype',
      'sha256_digest',
      'expires',
      'signature',
    ),
    fc.string({ maxLength: 8 }),
  ),
  filename: fc.option(
    fc.oneof(
      fc.constantFrom('a.txt', 'a-1.0.tar.gz', 'a-1.0-py3-none-any.whl', '../x', ''),
      fc.string({ maxLength: 10 }),
    ),
  ),
  type: fc.option(fc.constantFrom('application/octet-stream', 'text/plain; charset=utf-8', 'x', '')),
  data: fc.oneof(fc.constantFrom('file_upload', '1', 'sdist', 'a', '1.0'), fc.string({ maxLength: 40 })),
});

interface Form {
  boundary: string;
  header: 'right' | 'none' | 'other' | 'not-multipart';
  parts: Part[];
  newline: '\r\n' | '\n';
  /** Cut the body at this fraction of its length (1: whole). */
  cut: number;
  closed: boolean;
}

const form: fc.Arbitrary<Form> = fc.record({
  boundary: fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,40}$/),
    fc.string({ minLength: 1, maxLength: 10 }),
  ),
  header: fc.constantFrom('right', 'right', 'right', 'none', 'other', 'not-multipart'),
  parts: fc.array(part, { maxLength: 6 }),
  newline: fc.constantFrom('\r\n', '\r\n', '\n'),
  cut: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  closed: fc.boolean(),
});

function render(f: Form): { body: Buffer; contentType: string } {
  const nl = f.newline;
  let text = '';
  for (const p of f.parts) {
    text += `--${f.boundary}${nl}Content-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== null) text += `; filename="${p.filename}"`;
    text += nl;
    if (p.type !== null) text += `Content-Type: ${p.type}${nl}`;
    text += `${nl}${p.data}${nl}`;
  }
  if (f.closed) text += `--${f.boundary}--${nl}`;
  const whole = Buffer.from(text);
  const body = whole.subarray(0, Math.floor(whole.length * f.cut));
  const contentType = {
    right: `multipart/form-data; boundary=${f.boundary}`,
    none: 'multipart/form-data',
    other: 'multipart/form-data; boundary=somethingelse',
    'not-multipart': 'application/x-www-form-urlencoded',
  }[f.header];
  return { body, contentType };
}

describe('the multipart form readers under arbitrary forms', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    await createRepo(server, 'dev');
  });
  afterAll(() => server.close());

  async function expectAnswered(res: Response): Promise<void> {
    const text = await res.text();
    expect([res.status, text]).toEqual([expect.any(Number), text]);
    if (res.status >= 500) throw new Error(`${res.status}: ${text}`);
    if (res.status >= 400) {
      const body = JSON.parse(text) as { detail?: unknown; code?: unknown };
      expect(typeof body.detail).toBe('string');
      expect(typeof body.code).toBe('string');
    }
  }

  // Found by the properties below: a form cut short inside a file part the reader skips made its
  // stream emit an 'error' nobody listened to, which ended the whole service.
  it.each([
    ['the upload URL', '/uploads/not-an-upload', 422, 'validation_failed'],
    ['the Python index', '/pypi/acme/dev/', 400, 'upload_refused'],
  ])(
    'answers a form cut inside a file part it skips, to %s, with a 4xx and keeps serving',
    async (_what, path, status, code) => {
      const body = '--XX\r\nContent-Disposition: form-data; name="other"; filename="a.txt"\r\n\r\npartial da';
      const basic = `Basic ${Buffer.from(`__token__:${server.adminKey}`).toString('base64')}`;
      const res = await fetch(server.url + path, {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/form-data; boundary=XX', Authorization: basic },
        body,
      });
      const answer = (await res.json()) as { code: string; detail: string };
      expect([res.status, answer.code]).toEqual([status, code]);
      expect(answer.detail).toMatch(/Malformed multipart form: Unexpected end of form/);
      expect((await fetch(`${server.url}/status/check/basic/`)).status).toBe(200);
    },
  );

  it("answers the upload URL's form with a 2xx or a 4xx error body", async () => {
    await fc.assert(
      fc.asyncProperty(form, async (f) => {
        const granted = await api<{ upload_url: string; upload_fields: Record<string, string> }>(
          server,
          'POST',
          `/files/${server.org}/dev/`,
          { filename: 'form.txt', method: 'post' },
        );
        expect(granted.status).toBe(202);
        const { body, contentType } = render(f);
        const res = await fetch(granted.body.upload_url, {
          method: 'POST',
          headers: { 'Content-Type': contentType },
          body,
        });
        await expectAnswered(res);
      }),
      { numRuns: 120 },
    );
  }, 60_000);

  it("answers the Python index's upload form with a 2xx or a 4xx error body", async () => {
    const basic = `Basic ${Buffer.from(`__token__:${server.adminKey}`).toString('base64')}`;
    await fc.assert(
      fc.asyncProperty(form, async (f) => {
        const { body, contentType } = render(f);
        const res = await fetch(`${server.url}/pypi/${server.org}/dev/`, {
          method: 'POST',
          headers: { 'Content-Type': contentType, Authorization: basic },
          body,
        });
        await expectAnswered(res);
      }),
      { numRuns: 120 },
    );
  }, 60_000);
});
