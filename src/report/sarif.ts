import { createHash } from 'node:crypto';
import type { GateSettings } from '../policy/settings.js';
import { severityLabel, type Level } from '../policy/severity.js';
import type { EvaluatedFinding, PackageVerdict, Verdict } from '../policy/verdict.js';
import { advisoryAgesText, coverageText } from './coverage.js';
import type { SarifInvocation, SarifLog, SarifResult, SarifRule, SarifRun } from './sarif-types.js';

/** The SARIF schema the output declares. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Options of {@link buildSarif}. */
export interface SarifOptions {
  /** Airlock's version, recorded as the tool driver's version. */
  toolVersion?: string;
  /** Where the tool is documented. */
  informationUri?: string;
  /**
   * Prefix of each run's `automationDetails.id`. Code scanning keeps one analysis per tool and
   * id, so each package gets its own (`<category>/<package>/`).
   */
  category?: string;
}

// GitHub's bands for `security-severity`: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, below 4.0 low.
const BANDS: Record<Level, { min: number; max: number; fallback: number }> = {
  critical: { min: 9.0, max: 10.0, fallback: 9.5 },
  high: { min: 7.0, max: 8.9, fallback: 8.0 },
  medium: { min: 4.0, max: 6.9, fallback: 5.5 },
  low: { min: 0.1, max: 3.9, fallback: 2.0 },
};

const LEVEL_ORDER: Level[] = ['low', 'medium', 'high', 'critical'];

/** The level a finding is shown at: its own, or for unknown severity the level settings map it to (else low). */
function displayLevel(f: EvaluatedFinding, settings: GateSettings): Level {
  if (f.severity !== 'unknown') return f.severity;
  return settings.unknownSeverity === 'ignore' ? 'low' : settings.unknownSeverity;
}

/**
 * The `security-severity` of a finding: its CVSS score when that agrees with its level (so code
 * scanning shows the level the gate judged), otherwise the middle of the level's band.
 */
export function securitySeverity(f: EvaluatedFinding, settings: GateSettings): number {
  const band = BANDS[displayLevel(f, settings)];
  const score = f.cvssScore;
  if (score !== null && (f.severity === 'unknown' || (score >= band.min && score <= band.max))) return score;
  return band.fallback;
}

/** SARIF result level by severity: critical/high → error, medium → warning, low/unknown → note. */
export function sarifLevel(level: Level): 'error' | 'warning' | 'note' {
  return level === 'critical' || level === 'high' ? 'error' : level === 'medium' ? 'warning' : 'note';
}

function ruleFor(id: string, findings: EvaluatedFinding[], settings: GateSettings): SarifRule {
  const first = findings[0]!;
  const score = Math.max(...findings.map((f) => securitySeverity(f, settings)));
  const level = findings
    .map((f) => displayLevel(f, settings))
    .sort((a, b) => LEVEL_ORDER.indexOf(b) - LEVEL_ORDER.indexOf(a))[0]!;
  const aliases = first.aliases.length ? `\nAliases: ${first.aliases.join(', ')}.` : '';
  const fixes = [...new Set(findings.map((f) => f.fixedVersion).filter((v): v is string => !!v))];
  const fix = fixes.length
    ? `Upgrade ${first.component} to ${fixes.join(' or ')} or later.`
    : `No fixed version of ${first.component} is known.`;
  const refs = first.references.slice(0, 10);
  const description = first.description || first.title || id;
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: first.title || id },
    fullDescription: { text: description },
    ...(refs[0] ? { helpUri: refs[0] } : {}),
    help: {
      text: `${description}${aliases}\n${fix}${refs.length ? `\nReferences:\n${refs.join('\n')}` : ''}`,
      markdown: `**${severityLabel(level)}** ${first.title || id}${aliases}\n\n${fix}${
        refs.length ? `\n\n${refs.map((r) => `- ${r}`).join('\n')}` : ''
      }`,
    },
    defaultConfiguration: { level: sarifLevel(level) },
    properties: {
      'security-severity': score.toFixed(1),
      tags: ['security', 'vulnerability', level],
      precision: 'very-high',
    },
  };
}

/** The file a result points at: the finding's location, else the package file, else `name-version`. */
function locationUri(f: EvaluatedFinding, pkg: PackageVerdict): string {
  const raw = f.location?.path ?? pkg.filename ?? `${pkg.name}-${pkg.version}`;
  return raw
    .replace(/^\.?\/+/, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}

function resultMessage(f: EvaluatedFinding, pkg: PackageVerdict): string {
  const title = f.title ? `: ${f.title}` : '';
  const fix = f.fixedVersion ? ` Fixed in ${f.fixedVersion}.` : ' No fixed version is available.';
  const outcome =
    f.disposition === 'deciding'
      ? ' It fails the gate.'
      : f.disposition === 'allowlisted'
        ? ` Allowlisted${f.allowlistEntry?.reason ? `: ${f.allowlistEntry.reason}` : ''}.`
        : '';
  return `${f.component} ${f.installedVersion} in ${pkg.name} ${pkg.version} is affected by ${f.id} (${severityLabel(f.severity)})${title}.${fix}${outcome}`;
}

function resultFor(
  f: EvaluatedFinding,
  pkg: PackageVerdict,
  ruleIndex: number,
  settings: GateSettings,
): SarifResult {
  const uri = locationUri(f, pkg);
  const fingerprint = createHash('sha256')
    .update([pkg.name, f.id, f.component, f.installedVersion, uri].join('\n'))
    .digest('hex');
  return {
    ruleId: f.id,
    ruleIndex,
    level: sarifLevel(displayLevel(f, settings)),
    message: { text: resultMessage(f, pkg) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
          region: { startLine: f.location?.line ?? 1 },
        },
      },
    ],
    partialFingerprints: { 'airlockFinding/v1': fingerprint },
    ...(f.disposition === 'allowlisted'
      ? { suppressions: [{ kind: 'external', justification: f.allowlistEntry?.reason ?? 'Allowlisted.' }] }
      : {}),
    properties: {
      component: f.component,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion,
      disposition: f.disposition,
    },
  };
}

/** The package's coverage as run properties: the counts, the text reports show, each ecosystem's data age. */
function coverageProperties(pkg: PackageVerdict, settings: GateSettings): Record<string, unknown> {
  const c = pkg.coverage;
  return {
    status: c?.status ?? 'not-reported',
    summary: coverageText(c),
    evaluated: c?.evaluated ?? null,
    notEvaluated: c?.notEvaluated ?? null,
    limitReached: c?.limitReached ?? null,
    advisoryData: advisoryAgesText(c, settings.maxAdvisoryAgeSec),
    ecosystems: (c?.ecosystems ?? []).map((e) => ({
      ecosystem: e.ecosystem,
      components: e.components,
      evaluated: e.evaluated,
      advisories: e.advisories,
      advisoriesUpdatedAt: e.advisoriesUpdatedAt,
      ageSeconds: e.ageSec,
      freshness: e.freshness,
    })),
  };
}

/**
 * An incomplete scan as invocation notifications, one per problem: code scanning shows them as
 * the tool's own messages, where a result per problem would invent rules and file locations.
 */
function coverageInvocation(pkg: PackageVerdict, settings: GateSettings): SarifInvocation[] {
  const problems = pkg.coverage?.problems ?? [];
  if (!problems.length) return [];
  const level = settings.onIncomplete === 'fail' ? 'error' : 'warning';
  return [
    {
      executionSuccessful: true,
      toolExecutionNotifications: problems.map((p) => ({
        level,
        message: { text: `${pkg.name} ${pkg.version}: ${p}.` },
        descriptor: { id: 'airlock/incomplete-scan' },
      })),
    },
  ];
}

function runId(category: string, pkg: PackageVerdict, duplicateName: boolean): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
  return `${category}/${slug(pkg.name)}${duplicateName ? `-${slug(pkg.version)}` : ''}/`;
}

/**
 * The verdict as SARIF 2.1.0 for code scanning (`github/codeql-action/upload-sarif`): one run per
 * package with its own `automationDetails.id`, tool driver `Airlock`, one rule per advisory id
 * (with help text and `security-severity`), one result per finding at its file. Each run's
 * properties carry the scan's coverage and advisory data ages; an incomplete scan adds an
 * invocation with a notification per problem.
 */
export function buildSarif(verdict: Verdict, options: SarifOptions = {}): SarifLog {
  const category = (options.category ?? 'airlock').replace(/\/+$/, '');
  const names = verdict.packages.map((p) => p.name);
  const runs = verdict.packages.map((pkg): SarifRun => {
    const byId = new Map<string, EvaluatedFinding[]>();
    for (const f of pkg.findings) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
    const ids = [...byId.keys()];
    const rules = ids.map((id) => ruleFor(id, byId.get(id)!, verdict.settings));
    const results = pkg.findings.map((f) => resultFor(f, pkg, ids.indexOf(f.id), verdict.settings));
    const invocations = coverageInvocation(pkg, verdict.settings);
    return {
      tool: {
        driver: {
          name: 'Airlock',
          ...(options.toolVersion
            ? { version: options.toolVersion, semanticVersion: options.toolVersion }
            : {}),
          ...(options.informationUri ? { informationUri: options.informationUri } : {}),
          rules,
        },
      },
      automationDetails: { id: runId(category, pkg, names.filter((n) => n === pkg.name).length > 1) },
      ...(invocations.length ? { invocations } : {}),
      results,
      properties: {
        package: pkg.name,
        version: pkg.version,
        format: pkg.format,
        result: pkg.result,
        scanStatus: pkg.scanStatus,
        coverage: coverageProperties(pkg, verdict.settings),
      },
    };
  });
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs };
}
