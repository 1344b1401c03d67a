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
import type { ReportOptions } from './types.js';

/** Identifies one workflow job (and matrix combination, and step) so each gets its own comment. */
export interface JobIdentity {
  workflow: string;
  job: string;
  /** The job's matrix values (`${{ toJSON(matrix) }}`), when it is a matrix job. */
  matrix?: Record<string, unknown> | null;
  /** Set when one job reports from more than one step. */
  step?: string;
}

/** Keeps a key readable and safe inside an HTML comment (no `--`, no `>`); `allowed` lists what else may stay. */
function sanitise(text: string, allowed: RegExp): string {
  return text.trim().replace(allowed, '_').replace(/-{2,}/g, '-');
}

// Parts of a key may not contain the characters that join the parts.
const PART_UNSAFE = /[^A-Za-z0-9._:+@/-]+/g;
const KEY_UNSAFE = /[^A-Za-z0-9._:=,+@/#[\]-]+/g;

function keyPart(text: string): string {
  return sanitise(text, PART_UNSAFE);
}

function matrixValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A stable key for a workflow job: `workflow/job`, plus the matrix values sorted by name
 * (`[node=20,os=ubuntu-latest]`) and the step, so matrix jobs get distinct comments.
 */
export function makeJobKey(id: JobIdentity): string {
  let key = `${keyPart(id.workflow)}/${keyPart(id.job)}`;
  const entries = Object.entries(id.matrix ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length)
    key += `[${entries.map(([k, v]) => `${keyPart(k)}=${keyPart(matrixValue(v))}`).join(',')}]`;
  if (id.step) key += `#${keyPart(id.step)}`;
  return key;
}

/** The hidden marker that finds a job's comment again: `<!-- airlock:<job-key> -->`. */
export function commentMarker(jobKey: string): string {
  return `<!-- airlock:${sanitise(jobKey, KEY_UNSAFE)} -->`;
}

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
