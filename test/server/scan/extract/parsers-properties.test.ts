import fc from 'fast-check';
import { stringify as toToml } from 'smol-toml';
import { stringify as toYaml } from 'yaml';
import type { ManifestKind } from '../../../../src/server/scan/extract/classify.js';
import { readManifest, sniffManifest } from '../../../../src/server/scan/extract/parsers/index.js';
import { ExtractFailure } from '../../../../src/server/scan/extract/types.js';

// Lockfiles and SBOMs arrive inside pushed artifacts: hostile bytes. Every reader must return
// components or throw ExtractFailure (which fails the scan with its reason), never anything else.

/** The keys the readers look for, so generated documents reach past the first shape check. */
const KEYS = [
  'lockfileVersion',
  'packages',
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'version',
  'name',
  'resolved',
  'integrity',
  'dev',
  'optional',
  'link',
  'bundleDependencies',
  'peerDependencies',
  '_meta',
  'default',
  'develop',
  'bomFormat',
  'specVersion',
  'components',
  'purl',
  'spdxVersion',
  'SPDXID',
  'versionInfo',
  'externalRefs',
  'referenceType',
  'referenceLocator',
  'metadata',
  'component',
  'importers',
  'specifiers',
  'snapshots',
  'package',
  'source',
  'node_modules/a',
  '@s/b@1.0.0',
  '/a@1.0.0',
  'a@1.0.0',
  'workspace',
  'dev-dependencies',
  'target',
];
const leaf = fc.oneof(
  fc.constantFrom(
    '1.0.0',
    '^1.2.3',
    'npm:x@1',
    'CycloneDX',
    'SPDX-2.3',
    'pkg:npm/a@1.0.0',
    'pkg:pypi/b@2',
    true,
    0,
    '',
  ),
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.constant(null),
);
const { doc } = fc.letrec<{ doc: unknown; value: unknown }>((tie) => ({
  doc: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 5 })), tie('value'), {
    maxKeys: 5,
  }),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('doc'),
    fc.array(tie('value'), { maxLength: 3 }),
  ),
}));
const json = doc.map((d) => JSON.stringify(d));
const yaml = doc.map((d) => toYaml(d));
const toml = doc.map((d) => {
  try {
    return toToml(d as Record<string, unknown>);
  } catch {
    return JSON.stringify(d); // a document TOML cannot hold (nulls): text that is not TOML
  }
});

/** Lines made of the text formats' own pieces. */
const lines = (pieces: string[]) =>
  fc
    .array(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 6 }), {
      maxLength: 12,
    })
    .map((ls) => ls.map((l) => l.join(' ')).join('\n'));
const goPieces = [
  'module',
  'require',
  '(',
  ')',
  'replace',
  '=>',
  'exclude',
  '// indirect',
  'v1.2.3',
  'go',
  'h1:abc=',
  '/go.mod',
  'example.com/m',
  'v0.0.0-20200101000000-abcdef123456',
];
const yarnPieces = [
  '# yarn lockfile v1',
  'a@^1.0.0:',
  '"@s/b@npm:1", c@1:',
  '  version "1.0.0"',
  '  resolved',
  '  dependencies:',
  '    d "^2"',
  '__metadata:',
  'version: 6',
  '"',
];
const requirementPieces = [
  'a==1.0',
  'b>=2',
  '-r',
  'other.txt',
  '--hash=sha256:00',
  '; python_version < "3"',
  '\\',
  '#',
  '-e',
  'git+https://x',
  '[extra]',
  '===1',
  '~=1.4',
];
const metadataPieces = [
  'Metadata-Version: 2.1',
  'Name: a',
  'Version: 1.0',
  'Requires-Dist: b (>=1)',
  'Requires-Dist: c; extra == "x"',
  'Provides-Extra: x',
  ':',
  '\t',
];

const text: Record<ManifestKind, fc.Arbitrary<string>> = {
  'npm-package-self': json,
  'npm-package-bundled': json,
  'npm-lock': json,
  'pipfile-lock': json,
  sbom: json,
  'pnpm-lock': fc.oneof(
    yaml,
    lines([
      'lockfileVersion: 9.0',
      'packages:',
      'importers:',
      '  /a@1.0.0:',
      '  a@1.0.0:',
      'resolution: {}',
      '&a',
      '*a',
      '- ',
    ]),
  ),
  'poetry-lock': toml,
  'cargo-lock': toml,
  'cargo-manifest': toml,
  'go-mod': lines(goPieces),
  'go-sum': lines(goPieces),
  'yarn-lock': lines(yarnPieces),
  requirements: lines(requirementPieces),
  'python-metadata': lines(metadataPieces),
};

const bytesOf = (kind: ManifestKind) =>
  fc.oneof(
    { weight: 4, arbitrary: text[kind].map((t) => Buffer.from(t)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  );

describe.each(Object.keys(text).map((k) => [k as ManifestKind]))('the %s reader', (kind) => {
  it('returns components or throws ExtractFailure for any bytes', () => {
    fc.assert(
      fc.property(bytesOf(kind), (bytes) => {
        let components;
        try {
          components = readManifest(kind, bytes, 'fuzzed');
        } catch (err) {
          if (!(err instanceof ExtractFailure)) throw err;
          expect(err.message).toMatch(/^fuzzed/);
          return;
        }
        for (const c of components) {
          expect(['npm', 'PyPI', 'Go', 'crates.io']).toContain(c.ecosystem);
          expect(typeof c.name).toBe('string');
          expect(typeof c.version).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('recognising a manifest by its content', () => {
  it('never throws, and names only kinds that then read or fail as ExtractFailure', () => {
    fc.assert(
      fc.property(fc.oneof(json, yaml, lines(yarnPieces), fc.string({ maxLength: 80 })), (t) => {
        const bytes = Buffer.from(t);
        const kind = sniffManifest(bytes, 'sniffed');
        if (!kind) return;
        try {
          readManifest(kind, bytes, 'sniffed');
        } catch (err) {
          if (!(err instanceof ExtractFailure)) throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
