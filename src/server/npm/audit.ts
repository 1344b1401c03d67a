/**
 * The bulk advisory endpoint `npm audit` posts to (`/-/npm/v1/security/advisories/bulk`, a
 * gzipped `{name: [versions]}`), answered from Airlock's own OSV advisory data with the same
 * matcher the package scans use, so `npm audit` reports what a scan of the package finds.
 */

import semver from 'semver';
import type { Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { invalidField } from '../domain/errors.js';
import type { OsvRange } from '../scan/advisories/osv.js';
import { loadAffectedRows } from '../scan/advisories/query.js';
import { findVulnerabilities, type Component } from '../scan/match.js';
import type { SeverityLevel } from '../scan/severity.js';
import { dbOf } from '../store/source.js';
import { asObject } from './publish.js';
import { resolveNpmRepo } from './registry.js';

/** One advisory as npm's bulk endpoint describes it. */
export interface NpmAdvisory {
  id: string;
  url: string;
  title: string;
  severity: 'critical' | 'high' | 'moderate' | 'low' | 'info';
  vulnerable_versions: string;
  cwe: string[];
  cvss: { score: number; vectorString: string | null };
}

/** Most name/version pairs one request may ask about (a very large lockfile has ~10 000). */
export const MAX_AUDIT_ENTRIES = 100_000;

const SEVERITY: Record<SeverityLevel, NpmAdvisory['severity']> = {
  Critical: 'critical',
  High: 'high',
  Medium: 'moderate',
  Low: 'low',
  Unknown: 'info',
};

/** Reads `{name: [versions]}`; 422 naming what is wrong. */
function readRequest(body: unknown): Component[] {
  const doc = asObject(body, 'The audit request');
  const components: Component[] = [];
  for (const [name, versions] of Object.entries(doc)) {
    if (!Array.isArray(versions) || versions.some((v) => typeof v !== 'string')) {
      throw invalidField(name, 'must be a list of version strings.');
    }
    for (const version of versions as string[]) components.push({ ecosystem: 'npm', name, version });
    if (components.length > MAX_AUDIT_ENTRIES) {
      throw invalidField('body', `At most ${MAX_AUDIT_ENTRIES} name/version pairs per request.`);
    }
  }
  return components;
}

/** One OSV range as a node-semver range (`>=1.0.0 <1.2.3`), or null for an unevaluated type. */
function semverRange(range: OsvRange): string | null {
  if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') return null;
  const parts: string[] = [];
  let from: string | null = null;
  for (const event of range.events) {
    if (event.introduced !== undefined) from = event.introduced === '0' ? '' : `>=${event.introduced}`;
    else if (from !== null && (event.fixed !== undefined || event.last_affected !== undefined)) {
      const end = event.fixed !== undefined ? `<${event.fixed}` : `<=${event.last_affected!}`;
      parts.push(`${from} ${end}`.trim());
      from = null;
    }
  }
  if (from !== null) parts.push(from || '*');
  return parts.length ? parts.join(' || ') : null;
}

/** The versions an affected entry covers, as one range npm can test installed versions with. */
function vulnerableVersions(ranges: OsvRange[], versions: string[]): string {
  const parts = ranges.map(semverRange).filter((r): r is string => r !== null);
  parts.push(...versions.filter((v) => semver.valid(v)));
  return parts.length ? parts.join(' || ') : '*';
}

function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

/**
 * `POST /npm/{owner}/{repo}/-/npm/v1/security/advisories/bulk` (Read): for each package name, the
 * advisories that affect at least one of the given versions.
 */
export async function bulkAdvisories(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  body: unknown,
): Promise<Record<string, NpmAdvisory[]>> {
  await resolveNpmRepo(ctx, actor, owner, slug, 'Read');
  const components = readRequest(body);
  const matches = await findVulnerabilities(dbOf(ctx), components);
  const hits = new Map<
    string,
    Map<string, { title: string; level: SeverityLevel; score: number | null; vector: string | null }>
  >();
  for (const m of matches) {
    for (const v of m.vulnerabilities) {
      const byId = hits.get(m.component.name) ?? new Map();
      byId.set(v.id, {
        title: v.title,
        level: v.severity.level,
        score: v.severity.score,
        vector: v.severity.vector,
      });
      hits.set(m.component.name, byId);
    }
  }
  const out: Record<string, NpmAdvisory[]> = {};
  if (hits.size === 0) return out;
  const rows = await loadAffectedRows(
    dbOf(ctx),
    'npm',
    [...hits.keys()].map((n) => n.toLowerCase()),
  );
  for (const [name, byId] of hits) {
    out[name] = [...byId].map(([id, hit]) => {
      const affected = rows.filter((r) => r.advisoryId === id && r.nameKey === name.toLowerCase());
      const range = affected
        .map((r) =>
          vulnerableVersions(JSON.parse(r.ranges) as OsvRange[], JSON.parse(r.versions) as string[]),
        )
        .join(' || ');
      return {
        id,
        url: advisoryUrl(id),
        title: hit.title,
        severity: SEVERITY[hit.level],
        vulnerable_versions: range || '*',
        cwe: [],
        cvss: { score: hit.score ?? 0, vectorString: hit.vector },
      };
    });
  }
  return out;
}
