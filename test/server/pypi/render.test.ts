import type { IndexFile } from '../../../src/server/pypi/index.js';
import {
  currentVersion,
  escapeHtml,
  negotiateSimpleFormat,
  renderProjectHtml,
} from '../../../src/server/pypi/render.js';

function file(version: string, overrides: Partial<IndexFile> = {}): IndexFile {
  return {
    packageId: `id-${version}`,
    name: 'Demo',
    version,
    filename: `demo-${version}-py3-none-any.whl`,
    sha256: 'a'.repeat(64),
    md5: 'b'.repeat(32),
    size: 10,
    kind: 'wheel',
    requiresPython: null,
    requiresDist: [],
    coreMetadataSha256: null,
    yanked: false,
    summary: '',
    license: '',
    uploadedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('simple API content negotiation', () => {
  it.each([
    [undefined, 'html'],
    ['*/*', 'html'],
    ['text/html', 'html'],
    ['application/vnd.pypi.simple.v1+json', 'json'],
    ['application/vnd.pypi.simple.latest+json', 'json'],
    [
      'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01',
      'json',
    ],
    ['text/html;q=0.9, application/vnd.pypi.simple.v1+json;q=0.5', 'html'],
    ['application/vnd.pypi.simple.v1+json;q=0, text/html;q=0.1', 'html'],
    ['application/xml', 'html'],
  ])('answers Accept %p with %s', (accept, form) => {
    expect(negotiateSimpleFormat(accept)).toBe(form);
  });
});

describe('the project page', () => {
  it('escapes text and attributes, so metadata cannot inject markup', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const page = renderProjectHtml({
      name: '<b>Demo</b>',
      normalized: 'demo',
      files: [file('1.0', { requiresPython: '>=3.8,<4"><script>' })],
    });
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>');
    expect(page).toContain('data-requires-python="&gt;=3.8,&lt;4&quot;&gt;&lt;script&gt;"');
  });
});

describe('the current version of the JSON API', () => {
  it('is the highest final release that is not yanked', () => {
    expect(currentVersion([file('1.0'), file('2.0rc1'), file('1.10'), file('1.9')])).toBe('1.10');
    expect(currentVersion([file('1.0'), file('1.1', { yanked: true })])).toBe('1.0');
  });

  it('falls back to pre-releases, then to yanked files, when that is all there is', () => {
    expect(currentVersion([file('2.0a1'), file('2.0b1')])).toBe('2.0b1');
    expect(currentVersion([file('1.0', { yanked: true })])).toBe('1.0');
  });
});
