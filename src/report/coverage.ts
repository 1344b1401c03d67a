import {
  describeAge,
  describeComponent,
  formatDuration,
  type CoverageCheck,
  type EcosystemCheck,
} from '../policy/coverage.js';
import type { PackageVerdict, Verdict } from '../policy/verdict.js';
import { code, escapeCell } from './format.js';

/** What reports say when the repository sent no coverage (Cloudsmith does not). */
export const NOT_REPORTED = 'coverage not reported by the repository';

/** Listed inline before the rest go to the table of components not evaluated. */
const INLINE_COMPONENTS = 3;

function num(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * `4,210 of 4,212 components evaluated; 2 not: 'foo' 2.0.0-final (…), …`, or what stands in for
 * it when the repository did not report coverage or the scan did not finish. Plain text.
 */
export function coverageText(coverage: CoverageCheck | undefined): string {
  if (!coverage || coverage.status === 'not-reported') return NOT_REPORTED;
  if (coverage.status === 'not-scanned' || coverage.evaluated === null || coverage.notEvaluated === null) {
    return 'not scanned to the end';
  }
  const total = coverage.evaluated + coverage.notEvaluated;
  const head = `${num(coverage.evaluated)} of ${num(total)} component${total === 1 ? '' : 's'} evaluated`;
  if (coverage.notEvaluated === 0) return coverage.limitReached ? `${head}; scan limit reached` : head;
  const listed = coverage.notEvaluatedComponents.slice(0, INLINE_COMPONENTS).map(describeComponent);
  const more = coverage.notEvaluated - listed.length;
  const tail = listed.length ? `: ${listed.join(', ')}${more > 0 ? `, and ${num(more)} more` : ''}` : '';
  const limit = coverage.limitReached ? ` (the scan stopped at its limit of ${coverage.limitReached})` : '';
  return `${head}; ${num(coverage.notEvaluated)} not${tail}${limit}`;
}

/** One ecosystem's advisory data: `npm 2 days old (3,412 advisories)`, `PyPI never loaded`. */
export function ecosystemText(e: EcosystemCheck, maxAgeSec: number): string {
  const advisories = `${num(e.advisories)} advisor${e.advisories === 1 ? 'y' : 'ies'}`;
  switch (e.freshness) {
    case 'never-loaded':
      return `${e.ecosystem} advisory data never loaded`;
    case 'stale':
      return `${e.ecosystem} ${describeAge(e.ageSec ?? 0)} old, over max-advisory-age ${formatDuration(maxAgeSec)} (${advisories})`;
    default:
      return `${e.ecosystem} ${e.ageSec === null ? 'age unknown' : `${describeAge(e.ageSec)} old`} (${advisories})`;
  }
}

/** The ecosystems the package needs, with the age of their advisory data; empty when none are known. */
export function advisoryAgesText(coverage: CoverageCheck | undefined, maxAgeSec: number): string {
  const needed = (coverage?.ecosystems ?? []).filter((e) => e.freshness !== 'not-needed');
  return needed.map((e) => ecosystemText(e, maxAgeSec)).join('; ');
}

/** Over every package: `4,210 of 4,212 components evaluated`, or that no repository reported it. */
export function coverageSentence(verdict: Verdict): string {
  const c = verdict.coverage;
  if (!c || c.reported === 0) return NOT_REPORTED;
  const total = c.evaluated + c.notEvaluated;
  const some =
    c.reported < verdict.packages.length ? ` (in ${c.reported} of ${verdict.packages.length} packages)` : '';
  return `${num(c.evaluated)} of ${num(total)} component${total === 1 ? '' : 's'} evaluated${some}`;
}

/** The markdown lines of a package's coverage and advisory data ages, for summaries and check runs. */
export function coverageLines(pkg: PackageVerdict, maxAgeSec: number): string[] {
  const coverage = pkg.coverage;
  if (coverage?.status === 'not-scanned') return [];
  const mark = coverage?.status === 'incomplete' ? '⚠️ ' : '';
  const lines = [`**Coverage:** ${mark}${escapeCell(coverageText(coverage))}`];
  const ages = coverage?.ecosystems
    .filter((e) => e.freshness !== 'not-needed')
    .map(
      (e) =>
        `${e.freshness === 'stale' || e.freshness === 'never-loaded' ? '⚠️ ' : ''}${escapeCell(ecosystemText(e, maxAgeSec))}`,
    );
  if (ages?.length) lines.push(`**Advisory data:** ${ages.join(' · ')}`);
  return lines;
}

/** A table of the components the scan did not evaluate, or empty when there are none listed. */
export function notEvaluatedTable(pkg: PackageVerdict, maxRows: number): string {
  const listed = pkg.coverage?.notEvaluatedComponents ?? [];
  if (!listed.length) return '';
  const rows = listed.slice(0, maxRows).map((c) => {
    const where = c.location ? code(`${c.location.path}${c.location.line ? `:${c.location.line}` : ''}`) : '';
    return `| ${escapeCell(c.ecosystem)} | ${escapeCell(c.name)} | ${escapeCell(c.version)} | ${escapeCell(c.detail || c.reason)} | ${where} |`;
  });
  const total = pkg.coverage?.notEvaluated ?? listed.length;
  if (total > rows.length) rows.push(`| …and ${num(total - rows.length)} more | | | | |`);
  return [
    `<details><summary>${num(total)} component${total === 1 ? '' : 's'} not evaluated</summary>`,
    '',
    '| Ecosystem | Component | Version | Why | Where |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '</details>',
  ].join('\n');
}
