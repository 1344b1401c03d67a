import { describeEntry } from '../policy/allowlist.js';
import { SEVERITIES_DESCENDING } from '../policy/severity.js';
import { decidingFindings, type PackageVerdict, type Verdict } from '../policy/verdict.js';
import {
  code,
  countsTable,
  escapeCell,
  findingsTable,
  packageLabel,
  promotionFor,
  promotionSentence,
  resultBadge,
} from './format.js';
import { coverageLines, coverageSentence, notEvaluatedTable } from './coverage.js';
import type { ReportOptions } from './types.js';

const DEFAULT_TITLE = 'Airlock gate';
const DEFAULT_MAX_ROWS = 100;

/** A table with one row per package: result and counts by severity. */
export function overviewTable(verdict: Verdict): string {
  const head = ['Package', 'Result', 'Critical', 'High', 'Medium', 'Low', 'Unknown'];
  const lines = [
    `| ${head.join(' | ')} |`,
    `| --- | --- | ${SEVERITIES_DESCENDING.map(() => '---:').join(' | ')} |`,
  ];
  for (const p of verdict.packages) {
    const name = p.url ? `[${escapeCell(packageLabel(p))}](${p.url})` : escapeCell(packageLabel(p));
    const counts = SEVERITIES_DESCENDING.map((s) => String(p.counts[s]));
    lines.push(`| ${name} | ${resultBadge(p.result)} | ${counts.join(' | ')} |`);
  }
  return lines.join('\n');
}

function licenseLine(pkg: PackageVerdict): string | undefined {
  const l = pkg.license;
  if (l.status === 'not-checked') return l.declared ? `**License:** ${code(l.declared)}` : undefined;
  const read = l.interpreted ? ` (read as ${code(l.interpreted)})` : '';
  const declared = l.declared ? code(l.declared) : 'none declared';
  const verdict = {
    allowed: 'allowed',
    denied: `denied (${l.denied.join(', ')})`,
    unknown: 'unknown',
  }[l.status];
  return `**License:** ${declared}${read} — ${verdict}`;
}

/** The section of one package: counts, why it failed, coverage, deciding findings, allowlist effects, promotion, everything found. */
export function packageSection(
  pkg: PackageVerdict,
  options: ReportOptions = {},
  heading = '###',
  maxAdvisoryAgeSec = 0,
): string {
  const maxRows = options.maxFindingRows ?? DEFAULT_MAX_ROWS;
  const parts: string[] = [];
  const format = pkg.format ? ` (${escapeCell(pkg.format)})` : '';
  parts.push(`${heading} ${pkg.result === 'pass' ? '✅' : '❌'} ${escapeCell(packageLabel(pkg))}${format}`);
  const facts = [
    pkg.url ? `[package](${pkg.url})` : undefined,
    pkg.filename ? `file ${code(pkg.filename)}` : undefined,
    `scan: ${pkg.scanStatus.replace('_', ' ')}`,
  ].filter(Boolean);
  parts.push(facts.join(' · '));
  parts.push(countsTable(pkg.counts));
  if (pkg.reasons.length || pkg.notes.length) {
    parts.push(
      [
        ...pkg.reasons.map((r) => `- ❌ ${escapeCell(r)}`),
        ...pkg.notes.map((n) => `- ⚠️ ${escapeCell(n)}`),
      ].join('\n'),
    );
  }
  const coverage = coverageLines(pkg, maxAdvisoryAgeSec);
  if (coverage.length) parts.push(coverage.join('  \n'));
  const unevaluated = notEvaluatedTable(pkg, maxRows);
  if (unevaluated) parts.push(unevaluated);
  const deciding = decidingFindings(pkg);
  if (deciding.length) {
    parts.push(
      `**Findings that decided the verdict (${deciding.length})**`,
      findingsTable(deciding, maxRows, false),
    );
  }
  const allowlisted = pkg.findings.filter((f) => f.disposition === 'allowlisted');
  if (allowlisted.length) {
    const rows = allowlisted.slice(0, maxRows).map((f) => {
      const entry = f.allowlistEntry;
      const reason = entry?.reason ? escapeCell(entry.reason) : '—';
      const expires = entry?.expires ? ` (until ${escapeCell(entry.expires)})` : '';
      return `| ${escapeCell(f.id)} | ${escapeCell(f.component)} | ${entry ? entry.index + 1 : '?'}${expires} | ${reason} |`;
    });
    if (allowlisted.length > maxRows) rows.push(`| …and ${allowlisted.length - maxRows} more | | | |`);
    parts.push(
      `**Allowlisted (${allowlisted.length})**`,
      ['| Advisory | Component | Entry | Reason |', '| --- | --- | --- | --- |', ...rows].join('\n'),
    );
  }
  const license = licenseLine(pkg);
  if (license) parts.push(license);
  const promotion = promotionFor(pkg, options.promotions);
  if (promotion) parts.push(`**Promotion:** ${promotionSentence(promotion)}`);
  if (pkg.findings.length) {
    parts.push(
      `<details><summary>All ${pkg.findings.length} findings</summary>\n\n${findingsTable(pkg.findings, maxRows, true)}\n\n</details>`,
    );
  } else if (pkg.scanStatus === 'complete') {
    // "No vulnerabilities" is only as good as what was looked at; say which it is.
    parts.push(
      pkg.coverage?.status === 'incomplete'
        ? 'No vulnerabilities found in the components that were evaluated; the scan was incomplete.'
        : 'No vulnerabilities found.',
    );
  }
  return parts.join('\n\n');
}

/**
 * One line on what the scans covered, over every package: flagged when any was incomplete, so a
 * pass that rests on on-incomplete cannot be mistaken for a clean one.
 */
export function coverageOverview(verdict: Verdict): string {
  const incomplete = verdict.coverage?.incomplete ?? 0;
  const flag = incomplete
    ? `⚠️ **incomplete** for ${incomplete} package${incomplete === 1 ? '' : 's'} — `
    : '';
  return `**Coverage:** ${flag}${escapeCell(coverageSentence(verdict))}.`;
}

/** How many findings the allowlist suppressed, then expired and stale entries as bullets; empty when it did nothing. */
export function allowlistSection(verdict: Verdict, label = '**Allowlist:** '): string {
  const lines: string[] = [];
  for (const { entry, wouldHaveSuppressed } of verdict.allowlist.expired) {
    const effect = wouldHaveSuppressed ? `; it would have suppressed ${wouldHaveSuppressed}` : '';
    const reason = entry.reason ? ` — ${escapeCell(entry.reason)}` : '';
    lines.push(
      `- ⏰ Entry ${entry.index + 1} ${code(describeEntry(entry))} expired (${escapeCell(entry.expires ?? '')}) and was not applied${effect}${reason}`,
    );
  }
  for (const entry of verdict.allowlist.stale) {
    lines.push(
      `- 🧹 Entry ${entry.index + 1} ${code(describeEntry(entry))} matched no finding and may be removed.`,
    );
  }
  const suppressed = verdict.allowlist.suppressed.length;
  if (!lines.length && !suppressed) return '';
  const head = `${label}${suppressed} finding${suppressed === 1 ? '' : 's'} suppressed.`;
  return [head, ...(lines.length ? ['', ...lines] : [])].join('\n');
}

/** The links line, or empty. */
export function linksLine(options: ReportOptions): string {
  return (options.links ?? []).map((l) => `[${escapeCell(l.label)}](${l.url})`).join(' · ');
}

/**
 * The job summary: the result and its reasons, then per package the severity counts, the
 * findings that decided the verdict with their fixed versions, allowlist effects, the license,
 * the promotion done and every finding; then expired and stale allowlist entries and links.
 */
export function renderSummary(verdict: Verdict, options: ReportOptions = {}): string {
  const title = options.title ?? DEFAULT_TITLE;
  const parts = [`## ${escapeCell(title)}: ${resultBadge(verdict.result)}`];
  parts.push(verdict.reasons.map((r) => `- ${escapeCell(r)}`).join('\n'));
  parts.push(coverageOverview(verdict));
  if (verdict.packages.length > 1) parts.push(overviewTable(verdict));
  const maxAge = verdict.settings.maxAdvisoryAgeSec;
  for (const pkg of verdict.packages) parts.push(packageSection(pkg, options, '###', maxAge));
  const allowlist = allowlistSection(verdict, '');
  if (allowlist) parts.push('### Allowlist', allowlist);
  const links = linksLine(options);
  if (links) parts.push(links);
  return parts.join('\n\n') + '\n';
}
