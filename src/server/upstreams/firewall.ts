import { SEVERITIES } from '../../api/vulnerabilities.js';
import type { ServiceContext } from '../domain/context.js';
import { readStoredQuery, type SearchTerm } from '../domain/package-query.js';
import { findVulnerabilities } from '../scan/match.js';
import { listBlockingPolicyRecords } from '../store/policies.js';
import { dbOf } from '../store/source.js';

/** A version the firewall judges: what an upstream offers (or a repository holds). */
export interface FirewallCandidate {
  /** The package format: `npm` or `python`. */
  format: string;
  name: string;
  version: string;
}

/** Why a version is blocked, or that it is not. */
export interface FirewallVerdict {
  blocked: boolean;
  /** Advisory ids that a blocking vulnerability policy counts against the version. */
  advisories: string[];
  /** One line per blocking policy: its name and why. */
  reasons: string[];
}

const ALLOWED: FirewallVerdict = Object.freeze({
  blocked: false,
  advisories: [],
  reasons: [],
}) as FirewallVerdict;

/** The OSV ecosystem of a package format. */
const ECOSYSTEMS: Record<string, string> = { npm: 'npm', python: 'PyPI' };

function textMatches(actual: string, value: string, substring: boolean): boolean {
  let v = value.toLowerCase();
  const start = v.startsWith('^') || !substring;
  const end = v.endsWith('$') || !substring;
  v = v.replace(/^\^/, '').replace(/\$$/, '');
  const body = v
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`${start ? '^' : ''}${body}${end ? '$' : ''}`, 's').test(actual.toLowerCase());
}

function termMatches(term: SearchTerm, c: FirewallCandidate): boolean {
  switch (term.field) {
    case 'name':
      return textMatches(c.name, term.value, true);
    case 'version':
      return textMatches(c.version, term.value, false);
    case 'format':
      return textMatches(c.format, term.value, false);
    case 'filename':
      return textMatches(c.name, term.value, true);
    case 'any':
      return (
        textMatches(c.name, term.value, true) ||
        textMatches(c.version, term.value, false) ||
        textMatches(c.format, term.value, false)
      );
    default:
      // Tags, status, checksums and policy state belong to stored packages; a version not yet
      // fetched has none of them, so such a term does not match it.
      return false;
  }
}

/**
 * Whether a package query covers a version that may not be stored yet, read as policies read
 * stored queries (a query that no longer parses covers what its readable terms could match).
 */
export function candidateMatchesQuery(query: string, c: FirewallCandidate): boolean {
  if (!query) return true;
  const { search } = readStoredQuery(query);
  if (search.length === 0) return true;
  return search.some((group) => group.every((t) => termMatches(t, c) !== t.negated));
}

interface BlockingPolicy {
  id: string;
  name: string;
  kind: 'vulnerability' | 'deny';
  query: string;
  minSeverity: number;
  allowUnknown: boolean;
}

/**
 * The organisation's policies that block: deny policies that are enabled, and vulnerability
 * policies that quarantine what violates them (a quarantined package cannot be downloaded, so
 * serving a version such a policy would quarantine is what the firewall prevents).
 */
async function blockingPolicies(ctx: ServiceContext, orgId: string): Promise<BlockingPolicy[]> {
  const rows = await listBlockingPolicyRecords(ctx, orgId);
  const out: BlockingPolicy[] = [];
  for (const p of rows) {
    if (p.kind === 'deny' && p.settings.enabled !== false && p.package_query_string) {
      out.push({
        id: p.id,
        name: p.name,
        kind: 'deny',
        query: p.package_query_string,
        minSeverity: 0,
        allowUnknown: true,
      });
    }
    if (p.kind === 'vulnerability' && p.settings.on_violation_quarantine === true) {
      const min = SEVERITIES.indexOf((p.settings.min_severity as (typeof SEVERITIES)[number]) ?? 'Critical');
      out.push({
        id: p.id,
        name: p.name,
        kind: 'vulnerability',
        query: p.package_query_string,
        minSeverity: min < 0 ? SEVERITIES.indexOf('Critical') : min,
        allowUnknown: p.settings.allow_unknown_severity === true,
      });
    }
  }
  return out;
}

/**
 * The firewall's verdict on each version of one package, for any format: deny policies by their
 * package query, vulnerability policies set to quarantine by matching (ecosystem, name, version)
 * against the imported advisories. Versions need not be stored: this is how versions an upstream
 * offers are judged before anything is fetched. Keyed by version.
 */
export async function firewallVerdicts(
  ctx: ServiceContext,
  orgId: string,
  format: string,
  name: string,
  versions: readonly string[],
  /** False when the caller has just read that the organisation has no vulnerability or deny policy. */
  mayBlock = true,
): Promise<Map<string, FirewallVerdict>> {
  const verdicts = new Map<string, FirewallVerdict>(versions.map((v) => [v, ALLOWED]));
  if (!mayBlock) return verdicts;
  const policies = await blockingPolicies(ctx, orgId);
  if (policies.length === 0 || versions.length === 0) return verdicts;
  const candidates = versions.map((version) => ({ format, name, version }));
  const ecosystem = ECOSYSTEMS[format];
  const vulnerable =
    ecosystem && policies.some((p) => p.kind === 'vulnerability')
      ? await findVulnerabilities(
          dbOf(ctx),
          candidates.map((c) => ({ ecosystem, name: c.name, version: c.version })),
        )
      : null;
  candidates.forEach((c, i) => {
    const advisories = new Set<string>();
    const reasons: string[] = [];
    for (const p of policies) {
      if (!candidateMatchesQuery(p.query, c)) continue;
      if (p.kind === 'deny') {
        reasons.push(`deny policy '${p.name}' (${p.id})`);
        continue;
      }
      const hits = (vulnerable?.[i]?.vulnerabilities ?? []).filter((v) => {
        const level = v.severity.level;
        if (level === 'Unknown') return !p.allowUnknown;
        return SEVERITIES.indexOf(level) >= p.minSeverity;
      });
      if (hits.length === 0) continue;
      for (const h of hits) advisories.add(h.id);
      reasons.push(
        `vulnerability policy '${p.name}' (${p.id}): ${hits.map((h) => `${h.id} (${h.severity.level})`).join(', ')}`,
      );
    }
    if (reasons.length)
      verdicts.set(c.version, { blocked: true, advisories: [...advisories].sort(), reasons });
  });
  return verdicts;
}

/** The message a refused download of a blocked version carries: the advisory ids, else the policies. */
export function blockedMessage(c: FirewallCandidate, verdict: FirewallVerdict): string {
  const why = verdict.advisories.length
    ? `advisories ${verdict.advisories.join(', ')}`
    : verdict.reasons.join('; ');
  return `${c.name}@${c.version} is blocked by this repository's firewall: ${why}. Choose another version.`;
}
