import { parseAllowlist } from '../../src/policy/parse-allowlist.js';

describe('parseAllowlist', () => {
  it('reads a top-level list with every field', () => {
    const entries = parseAllowlist(
      [
        '- id: CVE-2019-10744',
        '  package: lodash@4.17.11',
        '  expires: 2025-07-01',
        '  reason: Not reachable from our code.',
        '- id: GHSA-jf85-cpcp-j695',
        '  package: {name: web-app, version: 2.1.0}',
        '- id: CVE-2020-8203',
        '  package: "@scope/tool"',
        '  expires: 2025-07-01T12:00:00Z',
      ].join('\n'),
    );
    expect(entries).toEqual([
      {
        index: 0,
        id: 'CVE-2019-10744',
        package: { name: 'lodash', version: '4.17.11' },
        expires: '2025-07-01',
        reason: 'Not reachable from our code.',
      },
      { index: 1, id: 'GHSA-jf85-cpcp-j695', package: { name: 'web-app', version: '2.1.0' } },
      { index: 2, id: 'CVE-2020-8203', package: { name: '@scope/tool' }, expires: '2025-07-01T12:00:00Z' },
    ]);
  });

  it('reads a mapping with an allowlist key, and bare ids', () => {
    expect(parseAllowlist('allowlist:\n  - CVE-2019-10744\n  - id: CVE-2020-8203\n')).toEqual([
      { index: 0, id: 'CVE-2019-10744' },
      { index: 1, id: 'CVE-2020-8203' },
    ]);
  });

  it('reads an empty file, or an empty allowlist key, as no entries', () => {
    expect(parseAllowlist('')).toEqual([]);
    expect(parseAllowlist('# nothing yet\n')).toEqual([]);
    expect(parseAllowlist('allowlist:\n')).toEqual([]);
  });

  const errors: Array<{ name: string; text: string; message: RegExp }> = [
    {
      name: 'text that is not YAML',
      text: 'allowlist: [CVE-1\n- id: x',
      message: /^\.airlock\/allowlist\.yml is not valid YAML: .+ at line \d+, column \d+/,
    },
    {
      name: 'an entry without an id, by its number and line',
      text: '- id: CVE-2019-10744\n- reason: forgot the id\n  package: lodash\n',
      message: /^\.airlock\/allowlist\.yml: entry 2 \(line 2\) has no `id`/,
    },
    {
      name: 'an entry with an empty id',
      text: '- id: ""\n',
      message: /entry 1 \(line 1\) has no `id`/,
    },
    {
      name: 'an entry whose id is not text',
      text: '- id: [CVE-1]\n',
      message: /entry 1 \(line 1\) has no `id`/,
    },
    {
      name: 'a date that does not exist',
      text: '- id: CVE-1\n- id: CVE-2\n  expires: 2025-02-30\n',
      message: /entry 2 \(line 2\) has `expires: 2025-02-30`, which is not a date; use YYYY-MM-DD/,
    },
    {
      name: 'a date in another notation',
      text: '- id: CVE-1\n  expires: 30/06/2025\n',
      message: /entry 1 \(line 1\) has `expires: 30\/06\/2025`, which is not a date/,
    },
    {
      name: 'a misspelt key, which would otherwise never expire',
      text: '- id: CVE-1\n  expire: 2025-01-01\n',
      message: /entry 1 \(line 1\) has unknown key `expire`; allowed keys are id, package, expires, reason/,
    },
    {
      name: 'a package in an unreadable form',
      text: '- id: CVE-1\n  package: [lodash]\n',
      message: /entry 1 \(line 1\) has an unreadable `package`/,
    },
    { name: 'a top level that is not a list', text: 'CVE-1', message: /is not a list of entries/ },
    {
      name: 'a mapping with other keys',
      text: 'ignore:\n  - CVE-1\n',
      message: /has top-level key\(s\) ignore, expected only `allowlist`/,
    },
    {
      name: 'a duplicated key',
      text: '- id: CVE-1\n  id: CVE-2\n',
      message: /is not valid YAML: Map keys must be unique/,
    },
  ];

  it.each(errors)('refuses $name with a message that says where', ({ text, message }) => {
    expect(() => parseAllowlist(text, '.airlock/allowlist.yml')).toThrow(message);
  });
});
