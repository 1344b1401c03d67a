import type { Finding } from '../policy/findings.js';
import { SEVERITIES_DESCENDING, severityLabel, type SeverityCounts } from '../policy/severity.js';
import type { Disposition, EvaluatedFinding, GateResult, PackageVerdict } from '../policy/verdict.js';
import type { PromotionOutcome } from './types.js';
import { escapeControls } from '../api/text.js';

/**
 * Makes text safe inside a markdown table cell (no pipes, no line breaks, no raw HTML, and no
 * control or bidirectional formatting characters: those show as `\u{…}`).
 */
export function escapeCell(text: string): string {
  return escapeControls(text.replace(/\r?\n|\r/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .trim();
}

/** Inline code that survives backticks in the text; control characters show as `\u{…}`. */
export function code(text: string): string {
  const clean = escapeControls(text.replace(/\r?\n|\r/g, ' '));
  return clean.includes('`') ? `\`\` ${clean} \`\`` : `\`${clean}\``;
}

/** `name version`, with any control character shown as `\u{…}` rather than acted on. */
export function packageLabel(pkg: { name: string; version: string }): string {
  return escapeControls(`${pkg.name} ${pkg.version}`);
}

/** ✅ passed / ❌ failed */
export function resultBadge(result: GateResult): string {
  return result === 'pass' ? '✅ passed' : '❌ failed';
}

/** The advisory id, linked to its first reference when there is one. */
export function advisoryLink(finding: Finding): string {
  const url = finding.references.find((r) => /^https?:\/\//i.test(r));
  const id = escapeCell(finding.id);
  // Parentheses and spaces would end a markdown link early.
  const safe = url?.replace(
    /[()\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return safe ? `[${id}](${safe})` : id;
}

/** A one-row table of counts by severity. */
export function countsTable(counts: SeverityCounts): string {
  const head = SEVERITIES_DESCENDING.map(severityLabel);
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---:').join(' | ')} |`,
    `| ${SEVERITIES_DESCENDING.map((s) => String(counts[s])).join(' | ')} |`,
  ].join('\n');
}

const OUTCOMES: Record<Disposition, string> = {
  deciding: '**fails the gate**',
  tolerated: 'within limits',
  allowlisted: 'allowlisted',
  unfixed: 'no fix (ignored)',
  ignored: 'unknown severity (ignored)',
};

/** How a table names a finding's disposition. */
export function outcomeLabel(finding: EvaluatedFinding): string {
  return OUTCOMES[finding.disposition];
}

/** Findings sorted highest severity first, then by id. */
export function sortFindings<T extends Finding>(findings: readonly T[]): T[] {
  const rank = (f: Finding) => SEVERITIES_DESCENDING.indexOf(f.severity);
  return [...findings].sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}

/** A table of findings; `outcome` adds what the gate did with each. Stops after `maxRows` with a line saying how many more. */
export function findingsTable(
  findings: readonly EvaluatedFinding[],
  maxRows: number,
  outcome: boolean,
): string {
  const rows = sortFindings(findings);
  const head = ['Severity', 'Advisory', 'Component', 'Installed', 'Fixed in', outcome ? 'Outcome' : 'Title'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const f of rows.slice(0, maxRows)) {
    const last = outcome ? outcomeLabel(f) : escapeCell(f.title || f.description.slice(0, 120));
    const cells = [
      severityLabel(f.severity),
      advisoryLink(f),
      escapeCell(f.component),
      escapeCell(f.installedVersion),
      f.fixedVersion ? escapeCell(f.fixedVersion) : 'no fix',
      last,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (rows.length > maxRows) lines.push('', `…and ${rows.length - maxRows} more.`);
  return lines.join('\n');
}

/** One sentence about a package's promotion. */
export function promotionSentence(p: PromotionOutcome): string {
  const where = p.destination ? ` ${code(p.destination)}` : '';
  const tags = p.tags?.length ? ` with tags ${p.tags.map(code).join(', ')}` : '';
  const link = p.url ? ` ([view](${p.url}))` : '';
  const detail = p.detail ? `: ${p.detail}` : '';
  switch (p.status) {
    case 'promoted':
      return `${p.mode === 'move' ? 'Moved' : 'Copied'} to${where}${tags}${link}.`;
    case 'unchanged':
      return `Already in${where}${tags}; nothing changed${link}.`;
    case 'not-promoted':
      return `Not promoted${detail || ' because the gate failed'}.`;
    case 'quarantined':
      return `Quarantined${p.detail ? ` (${p.detail})` : ''}.`;
    case 'failed':
      return `Promotion failed${detail}.`;
  }
}

/** The promotion outcome reported for a package, if any. */
export function promotionFor(
  pkg: PackageVerdict,
  promotions: readonly PromotionOutcome[] | undefined,
): PromotionOutcome | undefined {
  return promotions?.find((p) => p.name === pkg.name && p.version === pkg.version);
}
