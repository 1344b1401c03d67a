import path from 'node:path';
import semver from 'semver';
import type { OsvAffected, OsvRange } from '../../../src/server/scan/advisories/osv.js';
import { isAffected } from '../../../src/server/scan/versions/index.js';
import { eventOf, loadArchive } from './advisories-data.js';

type Interval = { from: string | null; to: string | null; inclusive: boolean };

const order = (a: string, b: string): number => semver.compare(a, b);

/**
 * The intervals a well-formed range describes (introduced, then fixed or last_affected, …),
 * read with node-semver straight from the advisory; null when the range is not of that shape.
 */
function intervalsOf(range: OsvRange): Interval[] | null {
  const events = range.events.map((e) => eventOf(e as Record<string, string>));
  if (events.some(([kind, v]) => kind === 'limit' || (v !== '0' && !semver.valid(v)))) return null;
  const sorted = [...events].sort(([, a], [, b]) => (a === '0' ? -1 : b === '0' ? 1 : order(a, b)));
  const out: Interval[] = [];
  let open: string | null | undefined;
  for (const [kind, value] of sorted) {
    if (kind === 'introduced') {
      if (open !== undefined) return null;
      open = value === '0' ? null : value;
    } else {
      if (open === undefined) return null;
      out.push({ from: open, to: value, inclusive: kind === 'last_affected' });
      open = undefined;
    }
  }
  if (open !== undefined) out.push({ from: open, to: null, inclusive: false });
  return out;
}

function inInterval(v: string, i: Interval): boolean {
  if (i.from !== null && order(v, i.from) < 0) return false;
  if (i.to === null) return true;
  return i.inclusive ? order(v, i.to) <= 0 : order(v, i.to) < 0;
}

/** A version just below `v` when one is easy to name (a lower patch, or a lower pseudo-version time). */
function justBelow(v: string): string | null {
  const parsed = semver.parse(v)!;
  const pseudo = /^(.*-(?:0\.)?)(\d{14})(-[0-9a-f]{12})$/.exec(parsed.version);
  if (pseudo) {
    const stamp = String(Number(pseudo[2]) - 1).padStart(14, '0');
    return `${pseudo[1]}${stamp}${pseudo[3]}`;
  }
  if (parsed.prerelease.length === 0 && parsed.patch > 0) {
    return `${parsed.major}.${parsed.minor}.${parsed.patch - 1}`;
  }
  return null;
}

interface Point {
  version: string;
  why: string;
}

function boundaryPoints(affected: OsvAffected, intervals: Interval[]): Point[] {
  const points: Point[] = [];
  for (const i of intervals) {
    if (i.from !== null) {
      points.push({ version: i.from, why: 'introduced' });
      const below = justBelow(i.from);
      if (below) points.push({ version: below, why: 'below introduced' });
    }
    if (i.to !== null) {
      points.push({ version: i.to, why: i.inclusive ? 'last_affected' : 'fixed' });
      const below = justBelow(i.to);
      if (below) points.push({ version: below, why: `below ${i.inclusive ? 'last_affected' : 'fixed'}` });
      const above = semver.inc(i.to, 'patch');
      if (above) points.push({ version: above, why: `above ${i.inclusive ? 'last_affected' : 'fixed'}` });
    }
  }
  for (const v of affected.versions ?? []) points.push({ version: v, why: 'listed' });
  return points;
}

async function checkEcosystem(
  dir: string,
  ecosystem: 'npm' | 'Go' | 'crates.io',
  spell: (v: string) => string,
): Promise<{ points: number; ranges: number; irregular: number }> {
  const docs = (await loadArchive(ecosystem, dir)).filter((d) => !d.withdrawn);
  let points = 0;
  let ranges = 0;
  let irregular = 0;
  const wrong: string[] = [];
  for (const doc of docs) {
    for (const affected of doc.affected ?? []) {
      const all = (affected.ranges ?? []).filter((r) => r.type === 'SEMVER').map(intervalsOf);
      if (all.some((i) => i === null)) {
        irregular++;
        continue;
      }
      const intervals = (all as Interval[][]).flat();
      ranges += all.length;
      const listed = new Set(affected.versions ?? []);
      for (const { version, why } of boundaryPoints(affected, intervals)) {
        const expected = listed.has(version) || intervals.some((i) => inInterval(version, i));
        points++;
        if (isAffected(ecosystem, spell(version), affected) !== expected) {
          wrong.push(`${doc.id} ${affected.package!.name} ${spell(version)} (${why}): expected ${expected}`);
        }
      }
    }
  }
  expect(wrong).toEqual([]);
  return { points, ranges, irregular };
}

/** How many boundary checks each test must have made to mean anything. */
export interface BoundaryBounds {
  npm: { points: number; ranges: number };
  crates: { points: number; ranges: number };
  go: { points: number; ranges: number; pseudo: number; incompatible: number; toolchain: number };
}

/** Version matching at every range boundary of the archives in `dir`, checked with node-semver. */
export function describeBoundaries(dir: string, min: BoundaryBounds): void {
  describe(`version matching at the range boundaries of real advisories (${path.basename(path.dirname(dir))}/${path.basename(dir)})`, () => {
    it('matches npm versions at every introduced, fixed and last_affected event', async () => {
      const { points, ranges, irregular } = await checkEcosystem(dir, 'npm', (v) => v);
      expect(points).toBeGreaterThan(min.npm.points);
      expect(ranges).toBeGreaterThan(min.npm.ranges);
      expect(irregular).toBe(0);
    });

    it('matches crates.io versions at every introduced and fixed event', async () => {
      const { points, ranges, irregular } = await checkEcosystem(dir, 'crates.io', (v) => v);
      expect(points).toBeGreaterThan(min.crates.points);
      expect(ranges).toBeGreaterThan(min.crates.ranges);
      expect(irregular).toBe(0);
    });

    it('matches Go module versions written with their leading v, pseudo-versions and +incompatible included', async () => {
      const { points, ranges, irregular } = await checkEcosystem(dir, 'Go', (v) => `v${v}`);
      expect(points).toBeGreaterThan(min.go.points);
      expect(ranges).toBeGreaterThan(min.go.ranges);
      expect(irregular).toBe(0);
    }, 120_000);

    it('orders Go pseudo-versions as pre-releases, by their timestamps', async () => {
      const docs = (await loadArchive('Go', dir)).filter((d) => !d.withdrawn);
      let checked = 0;
      for (const doc of docs) {
        for (const affected of doc.affected ?? []) {
          for (const range of affected.ranges ?? []) {
            const intervals = intervalsOf(range);
            if (intervals?.length !== 1 || (affected.ranges ?? []).length !== 1) continue;
            const [{ from, to }] = intervals as [Interval];
            if (!to || !/-\d{14}-[0-9a-f]{12}$/.test(to)) continue;
            const earlier = justBelow(to)!;
            expect(isAffected('Go', `v${to}`, affected)).toBe(false);
            expect(isAffected('Go', `v${earlier}`, affected)).toBe(
              from === null || semver.gte(earlier, from),
            );
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(min.go.pseudo);
    });

    it('reads +incompatible as build metadata and go1.x toolchain versions as the standard library writes them', async () => {
      const docs = (await loadArchive('Go', dir)).filter((d) => !d.withdrawn);
      let incompatible = 0;
      let toolchain = 0;
      for (const doc of docs) {
        for (const affected of doc.affected ?? []) {
          for (const range of affected.ranges ?? []) {
            for (const event of range.events) {
              const value = eventOf(event as Record<string, string>)[1];
              if (value.endsWith('+incompatible')) {
                const bare = value.slice(0, -'+incompatible'.length);
                expect(isAffected('Go', `v${value}`, affected)).toBe(isAffected('Go', `v${bare}`, affected));
                incompatible++;
              }
              const release = /^(\d+)\.(\d+)\.(\d+)$/.exec(value);
              if (affected.package!.name === 'stdlib' && release) {
                // Go names a minor's first release go1.N (before 1.21) or go1.N.0, and later ones go1.N.P.
                const goName = release[3] === '0' ? `go${release[1]}.${release[2]}` : `go${value}`;
                expect(isAffected('Go', goName, affected)).toBe(isAffected('Go', `v${value}`, affected));
                toolchain++;
              }
            }
          }
        }
      }
      expect(incompatible).toBeGreaterThan(min.go.incompatible);
      expect(toolchain).toBeGreaterThan(min.go.toolchain);
    });
  });
}
