import fc from 'fast-check';
import { KNOWN_ECOSYSTEMS, schemeForEcosystem } from '../../../src/server/scan/versions/index.js';
import type { AnyVersionScheme } from '../../../src/server/scan/versions/scheme.js';

// Version strings come from lockfiles, SBOMs and advisories: any bytes at all. These properties
// hold each scheme to its contract (parse never throws) and its order to a total order, over
// version-shaped strings of each ecosystem and over arbitrary text.

const small = fc.nat({ max: 12 });
const ident = fc.constantFrom('alpha', 'beta', 'rc', 'pre', '0', '1', '2', '10', 'x-y', 'a1');

const semverText = fc
  .tuple(
    fc.constantFrom('', 'v', '='),
    small,
    small,
    small,
    fc.option(fc.array(ident, { minLength: 1, maxLength: 3 })),
    fc.option(fc.array(fc.constantFrom('build', '001', 'sha', '5'), { minLength: 1, maxLength: 2 })),
  )
  .map(
    ([lead, a, b, c, pre, build]) =>
      `${lead}${a}.${b}.${c}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}`,
  );

const pep440Text = fc
  .tuple(
    fc.option(fc.nat({ max: 2 })),
    fc.array(small, { minLength: 1, maxLength: 4 }),
    fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc', 'alpha', 'beta', 'c', 'pre', 'preview'), small)),
    fc.option(fc.tuple(fc.constantFrom('.post', '-', '.r', 'post'), small)),
    fc.option(fc.tuple(fc.constantFrom('.dev', 'dev'), small)),
    fc.option(
      fc.array(fc.constantFrom('ubuntu', '1', '2', 'abc', '10', 'Z'), { minLength: 1, maxLength: 3 }),
    ),
  )
  .map(
    ([epoch, release, pre, post, dev, local]) =>
      `${epoch === null ? '' : `${epoch}!`}${release.join('.')}${pre ? pre.join('') : ''}${
        post ? post.join('') : ''
      }${dev ? dev.join('') : ''}${local ? `+${local.join('.')}` : ''}`,
  );

const goText = fc.oneof(
  semverText.map((v) => (v.startsWith('v') ? v : `v${v.replace(/^=/, '')}`)),
  fc
    .tuple(small, small, fc.option(fc.tuple(fc.constantFrom('alpha', 'beta', 'rc'), small)))
    .map(([minor, patch, pre]) => `go1.${minor}${patch ? `.${patch}` : ''}${pre ? pre.join('') : ''}`),
  fc.tuple(small, small).map(([a, b]) => `v${a}.${b}`),
  fc
    .tuple(small, fc.integer({ min: 20180101, max: 20261231 }), fc.stringMatching(/^[0-9a-f]{12}$/))
    .map(([major, day, hash]) => `v${major}.0.0-${day}000000-${hash}`),
);

const shaped: Record<string, fc.Arbitrary<string>> = {
  npm: semverText,
  'crates.io': semverText,
  PyPI: pep440Text,
  Go: goText,
};

/** Version-shaped text of the ecosystem, mixed with arbitrary text (most of which does not parse). */
const versionText = (ecosystem: string) =>
  fc.oneof(
    { weight: 4, arbitrary: shaped[ecosystem]! },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  );

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe.each(KNOWN_ECOSYSTEMS.map((e) => [e]))('%s versions', (ecosystem) => {
  const scheme: AnyVersionScheme = schemeForEcosystem(ecosystem)!;
  const parsed = versionText(ecosystem)
    .map((text) => ({ text, version: scheme.parse(text) as unknown }))
    .filter((v) => v.version !== null);

  it('parses any text without throwing: a version, or null', () => {
    fc.assert(
      fc.property(versionText(ecosystem), (text) => {
        scheme.parse(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads most version-shaped text of the ecosystem as a version', () => {
    const texts = fc.sample(shaped[ecosystem]!, { numRuns: 300, seed: 7 });
    const read = texts.filter((t) => scheme.parse(t) !== null);
    expect(read.length / texts.length).toBeGreaterThan(0.9);
  });

  it('orders versions antisymmetrically, with each version equal to itself', () => {
    fc.assert(
      fc.property(parsed, parsed, (a, b) => {
        expect(scheme.compare(a.version, a.version)).toBe(0);
        expect(sign(scheme.compare(a.version, b.version)) + sign(scheme.compare(b.version, a.version))).toBe(
          0,
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('orders versions transitively', () => {
    fc.assert(
      fc.property(parsed, parsed, parsed, (a, b, c) => {
        const cmp = (p: { version: unknown }, q: { version: unknown }) =>
          sign(scheme.compare(p.version, q.version));
        // Every ordering of the three: x <= y <= z implies x <= z, strictly when either step is strict.
        for (const [x, y, z] of [
          [a, b, c],
          [a, c, b],
          [b, a, c],
          [b, c, a],
          [c, a, b],
          [c, b, a],
        ] as const) {
          if (cmp(x, y) <= 0 && cmp(y, z) <= 0) {
            expect([x.text, y.text, z.text, cmp(x, z)]).toEqual([
              x.text,
              y.text,
              z.text,
              cmp(x, y) < 0 || cmp(y, z) < 0 ? -1 : 0,
            ]);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('gives two versions the same key exactly when they compare equal', () => {
    fc.assert(
      fc.property(parsed, parsed, (a, b) => {
        const equalKeys = scheme.key(a.version) === scheme.key(b.version);
        expect([a.text, b.text, equalKeys]).toEqual([
          a.text,
          b.text,
          scheme.compare(a.version, b.version) === 0,
        ]);
      }),
      { numRuns: 1000 },
    );
  });
  it('orders order keys as text exactly as it orders the versions', () => {
    fc.assert(
      fc.property(parsed, parsed, (a, b) => {
        const x = scheme.orderKey(a.version) as string;
        const y = scheme.orderKey(b.version) as string;
        expect([a.text, b.text, x < y ? -1 : x > y ? 1 : 0]).toEqual([
          a.text,
          b.text,
          sign(scheme.compare(a.version, b.version)),
        ]);
      }),
      { numRuns: 2000 },
    );
  });
});

// Pairs the random ones rarely reach: digit counts, numeric against text identifiers, segments
// that are present against missing, and numbers past what a double holds exactly.
const ORDERED_PAIRS: [string, string, string][] = [
  ['npm', '9.0.0', '10.0.0'],
  ['npm', '1.0.0-rc.9', '1.0.0-rc.10'],
  ['npm', '1.0.0-9', '1.0.0-a'],
  ['npm', '1.0.0-alpha', '1.0.0-alpha.0'],
  ['npm', '1.0.0-alpha', '1.0.0-alpha-1'],
  ['npm', '1.0.0-Z', '1.0.0-a'],
  ['npm', '1.0.0-z', '1.0.0'],
  ['npm', '1.0.0-99999999999999999998', '1.0.0-199999999999999999999'],
  ['Go', 'v0.0.0-20200101000000-abcdef123456', 'v0.0.1'],
  ['Go', 'go1.21rc1', 'go1.21'],
  ['PyPI', '1.0.dev0', '1.0a0'],
  ['PyPI', '1.0a0', '1.0a0.post0.dev0'],
  ['PyPI', '1.0rc1', '1.0'],
  ['PyPI', '1.0', '1.0.post0.dev0'],
  ['PyPI', '1.0.post0.dev0', '1.0.post0'],
  ['PyPI', '1.0', '1.0+abc'],
  ['PyPI', '1.0+abc', '1.0+1'],
  ['PyPI', '1.0+1', '1.0+1.abc'],
  ['PyPI', '1.0+abc.1', '1.0+abd'],
  ['PyPI', '1.9', '1.10'],
  ['PyPI', '2.0', '1!0.1'],
  ['PyPI', '99999999999999999999', '100000000000000000001.1'],
];

describe('order keys', () => {
  it.each(ORDERED_PAIRS)('of %s put %s before %s', (ecosystem, lower, higher) => {
    const scheme = schemeForEcosystem(ecosystem)!;
    const [a, b] = [scheme.parse(lower), scheme.parse(higher)];
    expect(scheme.compare(a, b)).toBeLessThan(0);
    expect((scheme.orderKey(a) as string) < (scheme.orderKey(b) as string)).toBe(true);
  });

  it.each([
    ['PyPI', '1.0', '1.0.0'],
    ['PyPI', '1.0RC1', '1.0rc1'],
    ['npm', '1.0.0+build', '1.0.0'],
    ['Go', 'v1.2', 'v1.2.0'],
    ['Go', 'v1.0.0+incompatible', 'v1.0.0'],
  ])('of %s are equal for %s and %s, which compare equal', (ecosystem, one, other) => {
    const scheme = schemeForEcosystem(ecosystem)!;
    const [a, b] = [scheme.parse(one), scheme.parse(other)];
    expect(scheme.compare(a, b)).toBe(0);
    expect(scheme.orderKey(a)).toBe(scheme.orderKey(b));
  });
});

describe('a leading = on a SemVer version', () => {
  // Found by the properties above: the scheme said it read `=1.2.3` as npm does, and gave null.
  it.each(['npm', 'crates.io'])('reads as the version itself for %s', (ecosystem) => {
    const scheme = schemeForEcosystem(ecosystem)!;
    const parsed = scheme.parse('=1.2.3');
    expect(parsed).not.toBeNull();
    expect(scheme.compare(parsed, scheme.parse('1.2.3'))).toBe(0);
    expect(scheme.parse('==1.2.3')).toBeNull();
  });
});
