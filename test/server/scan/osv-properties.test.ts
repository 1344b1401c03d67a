import fc from 'fast-check';
import { parseOsvAdvisory } from '../../../src/server/scan/advisories/osv.js';
import { advisorySeverity, affectedSeverity } from '../../../src/server/scan/severity.js';
import { isAffected } from '../../../src/server/scan/versions/index.js';

// OSV documents come from archives and mirrors the service does not control. parseOsvAdvisory is
// the gate: what it refuses it refuses with an Error naming the field; what it lets through must
// not make severity scoring or range matching throw.

const versionText = fc.oneof(
  fc.constantFrom('0', '1.0.0', '1.2.3-rc.1', '2.0', '1!2.0.post1', 'v1.4.0', 'go1.21rc1', '*', ''),
  fc.string({ maxLength: 12 }),
);
const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Sometimes the right type, sometimes any JSON at all. */
const orAny = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: anyJson });

const severity = orAny(
  fc.array(
    fc.record({
      type: orAny(fc.constantFrom('CVSS_V2', 'CVSS_V3', 'CVSS_V4', 'Ubuntu')),
      score: orAny(
        fc.constantFrom(
          'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
          'AV:N/AC:L/Au:N/C:P/I:P/A:P',
          'CVSS:3.1/AV:X',
          'high',
          '9.8',
        ),
      ),
    }),
    { maxLength: 2 },
  ),
);
const event = fc.dictionary(
  fc.constantFrom('introduced', 'fixed', 'last_affected', 'limit', 'other'),
  orAny(versionText),
  { maxKeys: 2 },
);
const affected = fc.record(
  {
    package: orAny(
      fc.record({
        ecosystem: orAny(fc.constantFrom('npm', 'PyPI', 'Go', 'crates.io', 'Maven', 'pypi', '')),
        name: orAny(fc.string({ maxLength: 8 })),
      }),
    ),
    ranges: orAny(
      fc.array(
        fc.record({
          type: orAny(fc.constantFrom('SEMVER', 'ECOSYSTEM', 'GIT')),
          events: orAny(fc.array(orAny(event), { maxLength: 4 })),
        }),
        { maxLength: 3 },
      ),
    ),
    versions: orAny(fc.array(orAny(versionText), { maxLength: 4 })),
    severity,
    database_specific: orAny(fc.record({ severity: orAny(fc.constantFrom('HIGH', 'LOW', 'MODERATE', 'x')) })),
  },
  { requiredKeys: [] },
);
const advisory = fc.record(
  {
    id: orAny(fc.constantFrom('GHSA-xxxx-yyyy-zzzz', 'PYSEC-2024-1', ' ')),
    modified: orAny(fc.constantFrom('2024-01-01T00:00:00Z', 'yesterday')),
    published: orAny(fc.constant('2023-01-01T00:00:00Z')),
    withdrawn: orAny(fc.constant('2025-01-01T00:00:00Z')),
    aliases: orAny(fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 })),
    summary: orAny(fc.string({ maxLength: 20 })),
    severity,
    references: orAny(
      fc.array(fc.record({ type: fc.constant('WEB'), url: orAny(fc.webUrl()) }), { maxLength: 2 }),
    ),
    affected: orAny(fc.array(orAny(affected), { maxLength: 3 })),
    database_specific: orAny(fc.record({ severity: orAny(fc.constantFrom('CRITICAL', 'moderate', '')) })),
  },
  { requiredKeys: ['id', 'modified'] },
);
const documentText = fc.oneof(
  { weight: 6, arbitrary: advisory.map((doc) => JSON.stringify(doc)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
);

describe('OSV documents', () => {
  it('are parsed, or refused with a plain Error that says what is wrong', () => {
    fc.assert(
      fc.property(documentText, (text) => {
        try {
          parseOsvAdvisory(text);
        } catch (err) {
          // Not a TypeError from reading into a value of the wrong shape: the parser's own refusal.
          expect(err).toBeInstanceOf(Error);
          expect((err as Error).constructor).toBe(Error);
          expect((err as Error).message).not.toBe('');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('once parsed, are scored and matched against any version without throwing', () => {
    const parsed = documentText
      .map((text) => {
        try {
          return parseOsvAdvisory(text);
        } catch {
          return null;
        }
      })
      .filter((doc) => doc !== null);
    fc.assert(
      fc.property(parsed, fc.array(versionText, { maxLength: 4 }), (doc, versions) => {
        expect(advisorySeverity(doc!).level).toEqual(expect.any(String));
        for (const a of doc!.affected ?? []) {
          affectedSeverity(a);
          const ecosystem = a.package?.ecosystem ?? 'npm';
          for (const v of versions) expect(typeof isAffected(ecosystem, v, a)).toBe('boolean');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
