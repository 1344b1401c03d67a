import path from 'node:path';
import { compare, eq, parse } from '@renovatebot/pep440';
import type { OsvAffected, OsvRange } from '../../../src/server/scan/advisories/osv.js';
import { packageNameKey } from '../../../src/server/scan/advisories/package-names.js';
import { compileAffectedFor, isAffected } from '../../../src/server/scan/versions/index.js';
import { pypiVersions } from '../../../src/server/scan/versions/pypi.js';
import { eventOf, loadArchive } from './advisories-data.js';

/**
 * Advisories whose enumerated `versions` list disagrees with their own ECOSYSTEM range, and why.
 * The test checks that each of them still disagrees, so the list cannot go stale.
 */
const KNOWN_INCONSISTENT: Record<string, string> = {
  // wagtail: one range holds two overlapping intervals out of order ([2.11, 2.11.7) and then
  // [0, 2.11.6)). The schema evaluates a range with its events sorted, which closes both at
  // 2.11.6; the list unions the intervals and so names 2.11.6.
  'PYSEC-2021-114': 'overlapping intervals in one range',
  // gevent: the list was enumerated from the GIT range, whose fixing commit is not in the
  // 23.9.0 tags, so it names 23.9.0 and 23.9.0.post1; the ECOSYSTEM range says 23.9.0 is fixed.
  'PYSEC-2023-177': 'list taken from the GIT range',
  // django: the list counts 3.2a1…3.2rc1 and 4.2a1…4.2rc1 as part of the 3.2 and 4.2 series,
  // but PEP 440 orders pre-releases before 3.2 and 4.2, where the ranges are introduced.
  'PYSEC-2023-61': 'pre-releases listed below `introduced`',
};

const byPep440 = (a: string, b: string): number => compare(a, b);

/** Index of the first version in `sorted` not below `value` (PEP 440 order). */
function lowerBound(sorted: string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byPep440(sorted[mid]!, value) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Candidate {
  version: string;
  why: string;
  /** Whether the advisory's `versions` list names it (compared as PEP 440 versions). */
  listed: boolean;
}

/**
 * The boundaries of the ranges and the versions next to them: each event's version, the listed
 * versions just below and above it, and the package's releases just below and above it.
 * `releases` is every version any advisory lists for the package, sorted; it holds the
 * advisory's own parseable listed versions.
 */
function candidatesFor(ranges: OsvRange[], listedRaw: Set<string>, releases: string[]): Candidate[] {
  const out = new Map<string, Candidate>();
  const add = (
    version: string | undefined,
    why: string,
    listed = version !== undefined && listedRaw.has(version),
  ): void => {
    if (version !== undefined && !out.has(version)) out.set(version, { version, why, listed });
  };
  const isListed = (i: number): boolean => listedRaw.has(releases[i]!);
  for (const range of ranges) {
    for (const event of range.events) {
      const [kind, value] = eventOf(event as Record<string, string>);
      if (value === '0') {
        add(
          releases.find((v) => listedRaw.has(v)),
          'lowest listed version',
        );
        continue;
      }
      const at = lowerBound(releases, value);
      const isRelease = at < releases.length && eq(releases[at]!, value);
      // A `fixed` version is never affected; `introduced`/`last_affected` values are asserted only
      // when they are real releases (some are bounds such as 4.3a0 that were never published).
      if (kind === 'fixed' || isRelease) add(value, kind, isRelease && isListed(at));
      const above = isRelease ? at + 1 : at;
      add(releases[at - 1], `release below ${kind}`);
      add(releases[above], `release above ${kind}`);
      let below = at - 1;
      while (below >= 0 && !isListed(below)) below--;
      add(releases[below], `listed version below ${kind}`);
      let next = above;
      while (next < releases.length && !isListed(next)) next++;
      add(releases[next], `listed version above ${kind}`);
    }
  }
  return [...out.values()];
}

/** How many comparisons each PyPI test must have made to mean anything. */
export interface PypiBounds {
  boundaryPairs: number;
  orderedPairs: number;
  listedChecks: number;
}

/** PyPI version matching against the archive in `dir`, checked with the pep440 library. */
export function describePypiMatching(dir: string, min: PypiBounds): void {
  describe(`PyPI version matching (${path.basename(path.dirname(dir))}/${path.basename(dir)})`, () => {
    it('agrees with the advisories’ enumerated versions at every range boundary and its neighbours', async () => {
      const docs = (await loadArchive('PyPI', dir)).filter((d) => !d.withdrawn);
      // Every version any advisory lists for a package is a real release of it.
      const releases = new Map<string, Set<string>>();
      const entries: { id: string; key: string; affected: OsvAffected }[] = [];
      for (const doc of docs) {
        for (const affected of doc.affected ?? []) {
          const key = packageNameKey('PyPI', affected.package!.name);
          const set = releases.get(key) ?? new Set<string>();
          for (const v of affected.versions ?? []) if (parse(v)) set.add(v);
          releases.set(key, set);
          entries.push({ id: doc.id, key, affected });
        }
      }
      const sortedReleases = new Map([...releases].map(([k, s]) => [k, [...s].sort(byPep440)]));

      let pairs = 0;
      let unparseableRanges = 0;
      const disagreements: string[] = [];
      const excludedSeen = new Set<string>();
      const evaluatedIds = new Set<string>();
      for (const { id, key, affected } of entries) {
        const ranges = (affected.ranges ?? []).filter((r) => r.type === 'ECOSYSTEM');
        const listedRaw = new Set(affected.versions ?? []);
        if (ranges.length === 0 || listedRaw.size === 0) continue;
        const eventValues = ranges.flatMap((r) =>
          r.events.map((e) => eventOf(e as Record<string, string>)[1]),
        );
        if (eventValues.some((v) => v !== '0' && !parse(v))) {
          unparseableRanges++;
          continue;
        }
        evaluatedIds.add(id);
        const rangeOnly = compileAffectedFor('PyPI', { ranges });
        for (const { version, why, listed } of candidatesFor(ranges, listedRaw, sortedReleases.get(key)!)) {
          pairs++;
          if (rangeOnly.matches(version) === listed) continue;
          if (id in KNOWN_INCONSISTENT) excludedSeen.add(id);
          else disagreements.push(`${id} ${affected.package!.name} ${version} (${why}): listed=${listed}`);
        }
      }

      expect(pairs).toBeGreaterThanOrEqual(min.boundaryPairs);
      expect(evaluatedIds.size).toBeGreaterThan(docs.length / 2);
      expect(disagreements).toEqual([]);
      expect([...excludedSeen].sort()).toEqual(Object.keys(KNOWN_INCONSISTENT).sort());
      // The two PyPA ranges with a non-PEP 440 event are covered by the unparseable-version tests.
      expect(unparseableRanges).toBeLessThan(5);
    }, 120_000);

    it('orders every real release of every package exactly as the pep440 library compares them', async () => {
      const docs = await loadArchive('PyPI', dir);
      const byPackage = new Map<string, Set<string>>();
      for (const doc of docs) {
        for (const affected of doc.affected ?? []) {
          const key = packageNameKey('PyPI', affected.package!.name);
          const set = byPackage.get(key) ?? new Set<string>();
          for (const v of affected.versions ?? []) if (parse(v)) set.add(v);
          for (const range of affected.ranges ?? []) {
            if (range.type !== 'ECOSYSTEM') continue;
            for (const e of range.events) {
              const value = eventOf(e as Record<string, string>)[1];
              if (parse(value)) set.add(value);
            }
          }
          byPackage.set(key, set);
        }
      }
      let pairs = 0;
      for (const versions of byPackage.values()) {
        const sorted = [...versions].sort(byPep440);
        const parsed = sorted.map((v) => pypiVersions.parse(v)!);
        for (let i = 1; i < sorted.length; i++) {
          const expected = Math.sign(byPep440(sorted[i - 1]!, sorted[i]!));
          expect([
            sorted[i - 1],
            sorted[i],
            Math.sign(pypiVersions.compare(parsed[i - 1]!, parsed[i]!)),
          ]).toEqual([sorted[i - 1], sorted[i], expected]);
          expect(pypiVersions.key(parsed[i - 1]!) === pypiVersions.key(parsed[i]!)).toBe(expected === 0);
          pairs++;
        }
      }
      expect(pairs).toBeGreaterThan(min.orderedPairs);
    });

    it('gives the same answer through isAffected as through a compiled matcher', async () => {
      const docs = (await loadArchive('PyPI', dir)).filter((d) => !d.withdrawn).slice(0, 200);
      let checked = 0;
      for (const doc of docs) {
        for (const affected of doc.affected ?? []) {
          const matcher = compileAffectedFor('PyPI', affected);
          for (const version of affected.versions ?? []) {
            expect(isAffected('PyPI', version, affected)).toBe(matcher.matches(version));
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(min.listedChecks);
    });

    it('matches an unparseable version only through an exact versions entry, without throwing', async () => {
      const docs = (await loadArchive('PyPI', dir)).filter((d) => !d.withdrawn);
      const cases = docs.flatMap((d) =>
        (d.affected ?? []).flatMap((a) => (a.versions ?? []).filter((v) => !parse(v)).map((v) => ({ a, v }))),
      );
      expect(cases.length).toBeGreaterThan(0);
      for (const { a, v } of cases) {
        expect(isAffected('PyPI', v, a)).toBe(true);
        expect(isAffected('PyPI', v, { ranges: a.ranges })).toBe(false);
        expect(isAffected('PyPI', `${v}!!`, a)).toBe(false);
      }
    });

    it('leaves out a range whose event is not a PEP 440 version, keeping the versions list', async () => {
      const docs = (await loadArchive('PyPI', dir)).filter((d) => !d.withdrawn);
      const broken = docs.flatMap((d) =>
        (d.affected ?? []).filter((a) =>
          (a.ranges ?? []).some(
            (r) =>
              r.type === 'ECOSYSTEM' &&
              r.events.some((e) => {
                const value = eventOf(e as Record<string, string>)[1];
                return value !== '0' && !parse(value);
              }),
          ),
        ),
      );
      expect(broken.length).toBeGreaterThan(0);
      for (const affected of broken) {
        const matcher = compileAffectedFor('PyPI', affected);
        expect(matcher.skippedRanges).toBeGreaterThan(0);
        for (const v of affected.versions ?? []) expect(matcher.matches(v)).toBe(true);
      }
    });
  });
}
