import { escapeControls, textProblem } from '../../../src/api/text.js';
import { escapeCell, packageLabel } from '../../../src/report/format.js';
import { describePushed } from '../../../src/steps/types.js';
import type { TestServer } from '../../helpers/server.js';
import { api, createRepo, sendFile, startServerOn, uploadPackage } from '../../helpers/upload.js';
import { npmTarball } from '../../fixtures/packages/archives.js';

interface ErrorBody {
  detail: string;
  code: string;
  fields?: Record<string, string[]>;
}

/** Each class of character an attacker reaches for, by what it does. */
const HOSTILE: [string, string][] = [
  ['NUL', '\u0000'],
  ['an ANSI colour escape', '\u001b[31m'],
  ['a newline', '\n'],
  ['a carriage return', '\r'],
  ['a tab', '\t'],
  ['DEL', '\u007f'],
  ['a C1 CSI', '\u009b31m'],
  ['a C1 next-line', '\u0085'],
  ['a right-to-left override', '\u202e'],
  ['a left-to-right isolate', '\u2066'],
  ['a pop directional isolate', '\u2069'],
  ['a left-to-right mark', '\u200e'],
  ['a right-to-left mark', '\u200f'],
  ['a line separator', '\u2028'],
];
/** What free text may keep. */
const FREE_TEXT_OK = new Set(['a newline', 'a tab']);

/** The refusal names the field and the character by code point, and never echoes the character. */
function expectRefused(res: { status: number; body: unknown }, field: string, what: string): void {
  const body = res.body as ErrorBody;
  expect([what, field, res.status, body.code]).toEqual([what, field, 422, 'validation_failed']);
  expect(body.fields?.[field]?.join(' ')).toMatch(/U\+[0-9A-F]{4}/);
  expect(textProblem(body.detail, 'text')).toBeNull();
}

describe('hostile characters in names and text', () => {
  let server: TestServer;
  let existing: string;

  beforeAll(async () => {
    server = await startServerOn('sqlite');
    await createRepo(server, 'hostile');
    const made = await uploadPackage<{ slug_perm: string }>(
      server,
      'hostile',
      'raw',
      Buffer.from('ok'),
      'ok.bin',
    );
    existing = made.body.slug_perm;
  }, 60_000);
  afterAll(async () => server.close());

  const createRaw = async (fields: Record<string, unknown>) => {
    const file = await sendFile(server, 'hostile', Buffer.from(`raw ${Math.random()}`), 'f.bin');
    return api<ErrorBody>(server, 'POST', '/packages/acme/hostile/upload/raw/', {
      package_file: file,
      ...fields,
    });
  };

  it.each(HOSTILE)('refuses %s in every identifier a caller names', async (what, ch) => {
    for (const field of ['name', 'version', 'content_type']) {
      expectRefused(await createRaw({ name: 'tool', version: '1.0', [field]: `a${ch}b` }), field, what);
    }
    const tagged = await createRaw({ name: 'tool', version: '1.0', tags: [`qa${ch}`] });
    expect([what, tagged.status]).toEqual([what, 422]);
    expect(Object.keys(tagged.body.fields ?? {}).some((k) => k.startsWith('tags'))).toBe(true);
    const tag = await api<ErrorBody>(server, 'POST', `/packages/acme/hostile/${existing}/tag/`, {
      action: 'Add',
      tags: [`qa${ch}`],
    });
    expect([what, tag.status]).toEqual([what, 422]);
    expectRefused(
      await api(server, 'POST', '/files/acme/hostile/', { filename: `f${ch}.bin`, method: 'put' }),
      'filename',
      what,
    );
    expectRefused(await api(server, 'POST', '/repos/acme/', { name: `repo${ch}x` }), 'name', what);
    expectRefused(await api(server, 'POST', '/repos/acme/', { name: 'fine', slug: `r${ch}x` }), 'slug', what);
    expectRefused(await api(server, 'PATCH', '/repos/acme/hostile/', { name: `n${ch}` }), 'name', what);
    expectRefused(
      await api(server, 'POST', `/packages/acme/hostile/${existing}/copy/`, { destination: `d${ch}` }),
      'destination',
      what,
    );
  });

  it.each(HOSTILE)('lets free text keep newlines and tabs only: %s', async (what, ch) => {
    for (const field of ['summary', 'description']) {
      const res = await createRaw({
        name: `text-${field}`,
        version: String(Math.random()),
        [field]: `line${ch}more`,
      });
      if (FREE_TEXT_OK.has(what)) expect([what, field, res.status]).toEqual([what, field, 201]);
      else expectRefused(res, field, what);
    }
    const repo = await api(server, 'PATCH', '/repos/acme/hostile/', { description: `about${ch}it` });
    if (FREE_TEXT_OK.has(what)) expect(repo.status).toBe(200);
    else expectRefused(repo, 'description', what);
  });

  it('accepts Windows line endings in free text', async () => {
    const res = await createRaw({ name: 'crlf', version: '1', description: 'one\r\ntwo' });
    expect(res.status).toBe(201);
  });

  it('refuses a package file whose own metadata hides an escape sequence, naming the field', async () => {
    for (const [field, manifest] of [
      // npm's "description" is the package summary.
      ['summary', { name: 'shady', version: '1.0.0', description: 'fine\u001b[2J' }],
      ['license', { name: 'shady', version: '1.0.1', license: 'MIT\u202e' }],
    ] as const) {
      const res = await uploadPackage<ErrorBody>(
        server,
        'hostile',
        'npm',
        await npmTarball(manifest),
        'shady.tgz',
      );
      expect([field, res.status, res.body.code]).toEqual([field, 422, 'invalid_package']);
      expect(res.body.detail).toContain(`has a ${field} that must not contain U+`);
      expect(textProblem(res.body.detail, 'text')).toBeNull();
    }
  });
});

describe('rendering names that hold control characters', () => {
  const hostile = { name: 'evil\u001b[31m\u202egnp.exe', version: '1.0\n::set-output name=x::y' };

  it('shows them inert in terminal log lines', () => {
    const line = describePushed(hostile);
    expect(textProblem(line, 'identifier')).toBeNull();
    expect(line).toBe('evil\\u{1b}[31m\\u{202e}gnp.exe 1.0\\u{a}::set-output name=x::y');
  });

  it('shows them inert in markdown summaries and comments', () => {
    expect(textProblem(packageLabel(hostile), 'identifier')).toBeNull();
    expect(textProblem(escapeCell('a\u0000b\u009bc'), 'identifier')).toBeNull();
    expect(escapeControls('plain name 1.0')).toBe('plain name 1.0');
  });
});
