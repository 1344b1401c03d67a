import { decidingFindings, type Verdict } from '../policy/verdict.js';
import {
  escapeCell,
  findingsTable,
  packageLabel,
  promotionFor,
  promotionSentence,
  resultBadge,
} from './format.js';
import { coverageLines } from './coverage.js';
import { allowlistSection, coverageOverview, linksLine, overviewTable } from './markdown.js';
import { GITHUB_TEXT_LIMIT, truncateMarkdown } from './truncate.js';
import { commentMarker } from './job-key.js';
import type { ReportOptions } from './types.js';

// The job key lives apart so that reading the settings does not load the comment's renderer.
export { commentMarker, makeJobKey, type JobIdentity } from './job-key.js';

/** Options of {@link buildPrComment}. */
export interface PrCommentOptions extends ReportOptions {
  jobKey: string;
  /** The commit the report is for (shown shortened). */
  sha?: string;
  /** Where the full report is (the run's job summary); the truncation note links to it. */
  detailsUrl?: string;
  /** Size the body must stay under; GitHub's 65,536 characters by default. */
  limit?: number;
}

/**
 * The pull-request comment: the hidden marker first, then the result, reasons, a table of
 * packages, the findings that decided the verdict, promotion and allowlist effects. Cut at a line
 * boundary, with a note, to stay under GitHub's limit.
 */
export function buildPrComment(verdict: Verdict, options: PrCommentOptions): string {
  const marker = commentMarker(options.jobKey);
  const title = options.title ?? 'Airlock gate';
  const maxRows = options.maxFindingRows ?? 50;
  const sha = options.sha ? ` for ${options.sha.slice(0, 7)}` : '';
  const parts = [`${marker}\n### ${escapeCell(title)}: ${resultBadge(verdict.result)}${sha}`];
  parts.push(verdict.reasons.map((r) => `- ${escapeCell(r)}`).join('\n'));
  parts.push(coverageOverview(verdict));
  if (verdict.packages.length) parts.push(overviewTable(verdict));
  for (const pkg of verdict.packages) {
    const deciding = decidingFindings(pkg);
    const promotion = promotionFor(pkg, options.promotions);
    const incomplete = pkg.coverage?.status === 'incomplete';
    if (!deciding.length && !promotion && !pkg.notes.length && !incomplete) continue;
    const section = [`#### ${escapeCell(packageLabel(pkg))}`];
    if (incomplete) section.push(coverageLines(pkg, verdict.settings.maxAdvisoryAgeSec).join('  \n'));
    if (deciding.length)
      section.push('Findings that decided the verdict:', findingsTable(deciding, maxRows, false));
    if (pkg.notes.length) section.push(pkg.notes.map((n) => `- ⚠️ ${escapeCell(n)}`).join('\n'));
    if (promotion) section.push(`**Promotion:** ${promotionSentence(promotion)}`);
    parts.push(section.join('\n\n'));
  }
  const allowlist = allowlistSection(verdict);
  if (allowlist) parts.push(allowlist);
  const links = linksLine(options);
  if (links) parts.push(links);
  const body = parts.join('\n\n') + '\n';
  const more = options.detailsUrl ? ` [The job summary](${options.detailsUrl}) has the full report.` : '';
  return truncateMarkdown(body, {
    limit: options.limit ?? GITHUB_TEXT_LIMIT,
    note: `This comment was cut short to stay under GitHub’s ${GITHUB_TEXT_LIMIT.toLocaleString('en-US')}-character limit.${more}`,
  }).text;
}
