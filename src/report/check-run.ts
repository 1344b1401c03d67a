import { severityLabel } from '../policy/severity.js';
import type { EvaluatedFinding, PackageVerdict, Verdict } from '../policy/verdict.js';
import { packageLabel } from './format.js';
import { allowlistSection, coverageOverview, linksLine, overviewTable, packageSection } from './markdown.js';
import { GITHUB_TEXT_LIMIT, truncateMarkdown } from './truncate.js';
import type { ReportOptions } from './types.js';

/** An annotation of a check run, in the Checks API's names. */
export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
  raw_details?: string;
}

/** A check run's conclusion and `output`, ready for the Checks API (annotations are batched by the caller). */
export interface CheckRunOutput {
  conclusion: 'success' | 'failure';
  title: string;
  summary: string;
  text: string;
  annotations: CheckRunAnnotation[];
}

// The Checks API rejects longer annotation fields.
const ANNOTATION_MESSAGE_LIMIT = 64 * 1024;
const ANNOTATION_TITLE_LIMIT = 255;

function annotationFor(f: EvaluatedFinding, pkg: PackageVerdict, path: string): CheckRunAnnotation {
  const level =
    f.disposition === 'deciding'
      ? 'failure'
      : f.disposition === 'tolerated' && (f.severity === 'critical' || f.severity === 'high')
        ? 'warning'
        : 'notice';
  const fix = f.fixedVersion ? `Fixed in ${f.fixedVersion}.` : 'No fixed version is available.';
  const outcome = {
    deciding: 'This finding fails the gate.',
    tolerated: 'Within the gate’s limits.',
    allowlisted: `Allowlisted${f.allowlistEntry?.reason ? `: ${f.allowlistEntry.reason}` : ''}.`,
    unfixed: 'Ignored: no fix exists and ignore-unfixed is on.',
    ignored: 'Ignored: unknown severity.',
  }[f.disposition];
  const message = `${f.component} ${f.installedVersion} (in ${packageLabel(pkg)}) is affected by ${f.id}${
    f.title ? `: ${f.title}` : ''
  }. ${fix} ${outcome}`;
  return {
    path,
    start_line: f.location?.line ?? 1,
    end_line: f.location?.line ?? 1,
    annotation_level: level,
    title: `${f.id} (${severityLabel(f.severity)}) in ${f.component}`.slice(0, ANNOTATION_TITLE_LIMIT),
    message: message.slice(0, ANNOTATION_MESSAGE_LIMIT),
    ...(f.references.length
      ? { raw_details: f.references.join('\n').slice(0, ANNOTATION_MESSAGE_LIMIT) }
      : {}),
  };
}

/** A short title: the result and what was counted. */
export function checkRunTitle(verdict: Verdict): string {
  const t = verdict.totals;
  const counts = (['critical', 'high', 'medium', 'low'] as const)
    .filter((s) => t[s] > 0)
    .map((s) => `${t[s]} ${s}`)
    .join(', ');
  const found = counts ? counts : 'no vulnerabilities';
  const incomplete = verdict.coverage?.incomplete ? ', scan incomplete' : '';
  return `${verdict.result === 'pass' ? 'Passed' : 'Failed'}: ${found}${incomplete}`;
}

/**
 * The check run's output: a title, a summary (reasons and counts), a text (every package's
 * details) and an annotation for each finding that has a file. Summary and text are cut to fit
 * GitHub's limit.
 */
export function buildCheckRunOutput(verdict: Verdict, options: ReportOptions = {}): CheckRunOutput {
  const summary = [
    verdict.reasons.map((r) => `- ${r}`).join('\n'),
    coverageOverview(verdict),
    overviewTable(verdict),
    verdict.notes.length ? verdict.notes.map((n) => `- ⚠️ ${n}`).join('\n') : '',
    linksLine(options),
  ]
    .filter(Boolean)
    .join('\n\n');
  const maxAge = verdict.settings.maxAdvisoryAgeSec;
  const text = [
    ...verdict.packages.map((p) => packageSection(p, options, '###', maxAge)),
    allowlistSection(verdict),
  ]
    .filter(Boolean)
    .join('\n\n');
  const annotations: CheckRunAnnotation[] = [];
  for (const pkg of verdict.packages) {
    for (const f of pkg.findings) {
      if (f.location?.path) annotations.push(annotationFor(f, pkg, f.location.path.replace(/^\.?\/+/, '')));
    }
  }
  const note = 'Cut short to fit GitHub’s size limit; the job summary has the full report.';
  return {
    conclusion: verdict.result === 'pass' ? 'success' : 'failure',
    title: checkRunTitle(verdict),
    summary: truncateMarkdown(summary, { limit: GITHUB_TEXT_LIMIT - 1, note }).text,
    text: truncateMarkdown(text, { limit: GITHUB_TEXT_LIMIT - 1, note }).text,
    annotations,
  };
}
