import fs from 'node:fs';
import path from 'node:path';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import type { OsvAdvisory, OsvAffected } from '../../../src/server/scan/advisories/osv.js';
import { isSamePackage, packageNameKey } from '../../../src/server/scan/advisories/package-names.js';
import { findVulnerabilities, lookupAdvisories, type Component } from '../../../src/server/scan/match.js';
import { advisorySeverity } from '../../../src/server/scan/severity.js';
import {
  compileAffectedFor,
  isAffected,
  type AffectedMatcher,
} from '../../../src/server/scan/versions/index.js';
import type { Db } from '../../../src/server/store/db.js';
import { tempDir } from '../../helpers/server.js';
import { openTestDatabase } from '../../helpers/stores.js';
import { archivePath, eventOf, loadArchive } from './advisories-data.js';

const ECOSYSTEMS = ['npm', 'PyPI', 'Go', 'crates.io'] as const;
type Entry = { doc: OsvAdvisory; affected: OsvAffected };

const spell = (ecosystem: string, version: string): string => (ecosystem === 'Go' ? `v${version}` : version);

/** Components at the range events and listed versions of every `step`-th advisory of each archive. */
function sampleComponents(archives: Map<string, OsvAdvisory[]>, step: number): Component[] {
  const out: Component[] = [];
  for (const [ecosystem, docs] of archives) {
    docs.forEach((doc, i) => {
      if (i % step !== 0) return;
      const affected = doc.affected?.[0];
      if (!affected?.package) return;
      const values = (affected.ranges ?? [])
        .filter((r) => r.type !== 'GIT')
        .flatMap((r) => r.events.map((e) => eventOf(e as Record<string, string>)[1]))
        .filter((v) => v !== '0');
      for (const v of [...values, ...(affected.versions ?? []).slice(0, 1)]) {
        out.push({ ecosystem, name: affected.package.name, version: spell(ecosystem, v) });
      }
    });
  }
  return out;
}

/** How much of an archive folder the matching tests must have exercised to mean anything. */
export interface MatchBounds {
  /** Every `sampleStep`-th advisory gives components for the exact-results test. */
  sampleStep: number;
  components: number;
  /** Every `detailStep`-th advisory gives components for the match-fields test. */
  detailStep: number;
  checked: number;
  fixedCases: number;
}

/**
 * The matcher against the archives in `dir`, each result checked against what the documents
 * themselves say (run on the shipped subset and, in test/accuracy, on the full archives).
 */
export function describeMatching(dir: string, bounds: MatchBounds): void {
  describe(`finding the advisories that affect components (${path.basename(path.dirname(dir))}/${path.basename(dir)})`, () => {
    let tmp: string;
    let db: Db;
    const archives = new Map<string, OsvAdvisory[]>();
    const index = new Map<string, Entry[]>();

    beforeAll(async () => {
      tmp = tempDir('airlock-match-');
      db = await openTestDatabase(path.join(tmp, 'airlock.db'));
      for (const ecosystem of ECOSYSTEMS) {
        await importAdvisories(db, archivePath(ecosystem, dir));
        const docs = await loadArchive(ecosystem, dir);
        archives.set(ecosystem, docs);
        for (const doc of docs) {
          for (const affected of doc.affected ?? []) {
            const key = `${ecosystem}:${packageNameKey(ecosystem, affected.package!.name)}`;
            index.set(key, [...(index.get(key) ?? []), { doc, affected }]);
          }
        }
      }
    }, 180_000);
    afterAll(async () => {
      await db.destroy();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    const compiled = new Map<OsvAffected, AffectedMatcher>();
    const matcherOf = (ecosystem: string, affected: OsvAffected): AffectedMatcher => {
      if (!compiled.has(affected)) compiled.set(affected, compileAffectedFor(ecosystem, affected));
      return compiled.get(affected)!;
    };

    /** The ids the archive itself says affect a component, worked out document by document. */
    function expectedIds(c: Component): string[] {
      const entries = index.get(`${c.ecosystem}:${packageNameKey(c.ecosystem, c.name)}`) ?? [];
      const ids = entries
        .filter(
          ({ doc, affected }) => !doc.withdrawn && isSamePackage(c.ecosystem, affected.package!.name, c.name),
        )
        .filter(({ affected }) => matcherOf(c.ecosystem, affected).matches(c.version))
        .map(({ doc }) => doc.id);
      return [...new Set(ids)].sort();
    }

    it('returns, for each component in order, exactly the live advisories whose ranges or lists contain it', async () => {
      const components = sampleComponents(archives, bounds.sampleStep);
      components.push({ ecosystem: 'npm', name: 'no-such-package-anywhere', version: '1.0.0' });
      expect(components.length).toBeGreaterThan(bounds.components);
      const results = await findVulnerabilities(db, components);
      expect(results.map((r) => r.component)).toEqual(components);
      let hits = 0;
      const wrong: string[] = [];
      for (const { component, vulnerabilities } of results) {
        const ids = vulnerabilities.map((v) => v.id).sort();
        const expected = expectedIds(component);
        if (ids.join() !== expected.join())
          wrong.push(`${JSON.stringify(component)}: ${ids.join()} ≠ ${expected.join()}`);
        hits += ids.length;
      }
      expect(wrong).toEqual([]);
      expect(hits).toBeGreaterThan(components.length / 2);
      expect(results.at(-1)!.vulnerabilities).toEqual([]);
    }, 120_000);

    it('reports each match with the advisory’s aliases, severity, title, references and package', async () => {
      const components = sampleComponents(archives, bounds.detailStep);
      const byId = new Map([...archives.values()].flat().map((d) => [d.id, d]));
      const checked = new Set<string>();
      for (const { vulnerabilities } of await findVulnerabilities(db, components)) {
        for (const v of vulnerabilities) {
          if (checked.has(v.id)) continue;
          checked.add(v.id);
          const doc = byId.get(v.id)!;
          expect(v.aliases).toEqual([...new Set(doc.aliases ?? [])].filter((a) => a !== doc.id).sort());
          expect(v.severity).toEqual(advisorySeverity(doc));
          expect(v.summary).toBe(doc.summary ?? '');
          if (doc.summary) expect(v.title).toBe(doc.summary.trim());
          else
            expect((doc.details ?? '').replace(/\s+/g, ' ')).toContain(
              v.title.replace(/…$/, '').slice(0, 40),
            );
          expect(v.title.length).toBeGreaterThan(0);
          expect(v.details).toBe(doc.details ?? '');
          expect(v.references).toEqual((doc.references ?? []).map((r) => ({ type: r.type, url: r.url })));
        }
      }
      expect(checked.size).toBeGreaterThan(bounds.checked);
    });

    it('gives the fixed version that closes the range holding the component', async () => {
      const cases: { component: Component; id: string; fixed: string }[] = [];
      for (const ecosystem of ['npm', 'Go', 'crates.io'] as const) {
        for (const doc of archives.get(ecosystem)!) {
          const entries = (doc.affected ?? []).filter(
            (a) => a.package!.name === doc.affected![0]!.package!.name,
          );
          const ranges = entries[0]!.ranges ?? [];
          if (doc.withdrawn || entries.length !== 1 || ranges.length !== 1 || ranges[0]!.events.length !== 2)
            continue;
          const [[k1, introduced], [k2, fixed]] = ranges[0]!.events.map((e) =>
            eventOf(e as Record<string, string>),
          );
          if (
            k1 !== 'introduced' ||
            k2 !== 'fixed' ||
            introduced === '0' ||
            cases.length > 3 * bounds.fixedCases
          )
            continue;
          const component = {
            ecosystem,
            name: entries[0]!.package!.name,
            version: spell(ecosystem, introduced!),
          };
          cases.push({ component, id: doc.id, fixed: fixed! });
        }
      }
      expect(cases.length).toBeGreaterThan(bounds.fixedCases);
      const results = await findVulnerabilities(
        db,
        cases.map((c) => c.component),
      );
      results.forEach(({ vulnerabilities }, i) => {
        const match = vulnerabilities.find((v) => v.id === cases[i]!.id);
        expect([cases[i]!.id, match?.fixedVersion]).toEqual([cases[i]!.id, cases[i]!.fixed]);
      });
    });

    it('folds PyPI and crates.io names but keeps npm and Go names case-sensitive', async () => {
      const pypi = archives
        .get('PyPI')!
        .find((d) => !d.withdrawn && /-/.test(d.affected![0]!.package!.name))!;
      const crate = archives
        .get('crates.io')!
        .find((d) => !d.withdrawn && /-/.test(d.affected![0]!.package!.name))!;
      const npm = archives.get('npm')!.find((d) => /[A-Z]/.test(d.affected![0]!.package!.name))!;
      const at = (doc: OsvAdvisory, ecosystem: string, name: string): Component => {
        const affected = doc.affected![0]!;
        const version = [
          ...(affected.ranges ?? []).flatMap((r) =>
            r.events.map((e) => eventOf(e as Record<string, string>)[1]),
          ),
          ...(affected.versions ?? []),
        ]
          .filter((v) => v !== '0')
          .find((v) => isAffected(ecosystem, v, affected))!;
        return { ecosystem, name, version };
      };
      const pypiName = pypi.affected![0]!.package!.name;
      const crateName = crate.affected![0]!.package!.name;
      const npmName = npm.affected![0]!.package!.name;
      const components = [
        at(pypi, 'pypi', pypiName.toUpperCase().replace(/-/g, '_')),
        at(crate, 'cargo', crateName.replace(/-/g, '_')),
        at(npm, 'npm', npmName),
        at(npm, 'npm', npmName.toLowerCase()),
      ];
      const [p, c, exact, lower] = (await findVulnerabilities(db, components)).map((r) =>
        r.vulnerabilities.map((v) => v.id),
      );
      expect(p).toContain(pypi.id);
      expect(c).toContain(crate.id);
      expect(exact).toContain(npm.id);
      expect(lower).not.toContain(npm.id);
    });

    it('looks advisories up by an alias shared by several databases', async () => {
      const byAlias = new Map<string, Set<string>>();
      for (const doc of [...archives.values()].flat()) {
        for (const alias of doc.aliases ?? [])
          byAlias.set(alias, (byAlias.get(alias) ?? new Set()).add(doc.id));
      }
      const [alias, ids] = [...byAlias].find(([, set]) => set.size > 1)!;
      const found = await lookupAdvisories(db, alias);
      expect(found.map((a) => a.id).sort()).toEqual([...ids].sort());
    });
  });
}
