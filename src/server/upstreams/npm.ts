/**
 * npm's side of the upstream machinery: packuments from a repository's npm upstreams (cached,
 * revalidated, served stale when the upstream fails), merged under the repository's own
 * versions, passed through the firewall, and tarballs fetched, verified and kept on demand.
 */

import semver from 'semver';
import type { FirewallMode } from '../../api/upstreams.js';
import { SYSTEM_ACTOR } from '../domain/access.js';
import { recordAudit } from '../domain/audit.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { RepoRef } from '../domain/package-writes.js';
import { abbreviate } from '../npm/registry.js';
import { inTransaction } from '../store/source.js';
import { fetchArtifact, type FetchedArtifact } from './artifacts.js';
import type { UpstreamRow } from './config.js';
import { activeUpstreams, DEFAULT_TIMING, fetchDocument, type UpstreamTiming } from './fetch.js';
import { DEFAULT_FIREWALL_MODE, firewallMode } from './firewall-setting.js';
import { assertNotBlocked } from './firewall-guard.js';
import { firewallVerdicts, type FirewallVerdict } from './firewall.js';
import { LruCache } from '../domain/document-cache.js';

/** An npm packument: the document of one package and every version of it. */
export type NpmDocument = Record<string, unknown> & {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
};

/** The repository a registry request is about and how its tarball URLs are written. */
export interface NpmTarget {
  repo: RepoRef;
  /** The URL this registry serves the tarball `filename` of `name` at. */
  tarballUrl(name: string, filename: string): string;
}

/** A packument as served, with what the caller reports about it. */
export interface ServedPackument {
  packument: NpmDocument;
  /** An upstream failed and its expired copy is part of the answer (`X-Airlock-Upstream: stale`). */
  stale: boolean;
  /** Versions the firewall left out (hide mode). */
  hidden: string[];
  /** What identifies the upstream document merged in (a digest of its body), or null for none. */
  upstreamRevision: string | null;
}

/** The header that says an answer holds an expired upstream copy. */
export const UPSTREAM_HEADER = 'X-Airlock-Upstream';

/** A package name as a registry path writes it: `@scope%2fname` for scoped names. */
function escapedName(name: string): string {
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDocument(body: string, name: string, upstream: string): NpmDocument | null {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new ServiceError(
      'upstream_failed',
      `Upstream '${upstream}' answered for '${name}' with a document that is not JSON.`,
    );
  }
  if (!isRecord(doc) || !isRecord(doc.versions)) {
    throw new ServiceError(
      'upstream_failed',
      `Upstream '${upstream}' answered for '${name}' without a versions object.`,
    );
  }
  if (typeof doc.name === 'string' && doc.name !== name) {
    throw new ServiceError(
      'upstream_failed',
      `Upstream '${upstream}' answered for '${name}' with the document of '${doc.name}'.`,
    );
  }
  const versions: Record<string, Record<string, unknown>> = {};
  for (const [v, manifest] of Object.entries(doc.versions)) {
    if (isRecord(manifest) && isRecord(manifest.dist) && typeof manifest.dist.tarball === 'string') {
      versions[v] = manifest;
    }
  }
  return {
    ...doc,
    name,
    'dist-tags': isRecord(doc['dist-tags']) ? (doc['dist-tags'] as Record<string, string>) : {},
    versions,
  };
}

/** The tarball file name of a version, from its dist URL. */
function tarballName(manifest: Record<string, unknown>): string {
  const url = String((manifest.dist as Record<string, unknown>).tarball);
  return decodeURIComponent(url.split('?')[0]!.split('/').pop() ?? '');
}

/** The upstream document of `name`, as cached or fetched, or null when no upstream has it. */
async function upstreamDocument(
  ctx: ServiceContext,
  repo: RepoRef,
  name: string,
  timing: UpstreamTiming,
  known?: readonly UpstreamRow[],
) {
  const upstreams = known ?? (await activeUpstreams(ctx, repo.id, 'npm'));
  if (upstreams.length === 0) return null;
  const fetched = await fetchDocument(
    ctx,
    upstreams,
    `npm:${name}`,
    escapedName(name),
    'application/json',
    timing,
  );
  if (!fetched) return null;
  // Parsed once per distinct body: a cached upstream packument is looked at on every request, and
  // reading its body from the store, let alone parsing it, costs more than everything else the
  // request does. Keyed by the body's digest (stored beside it, so known without reading it) and
  // the name it is read as, an entry can never be out of date; documents are never mutated.
  let revision = fetched.digest;
  let parsed = parsedDocuments.get(`${name}\0${revision}`);
  if (!parsed) {
    const { body, digest } = await fetched.read();
    // The digest of what was read: the copy may have been replaced since its digest was.
    revision = digest;
    parsed = { doc: readDocument(body, name, fetched.upstream.name), weight: body.length };
    parsedDocuments.set(`${name}\0${revision}`, parsed);
  }
  const { doc } = parsed;
  return doc && { doc, fetched, revision };
}

// Room for parsed upstream packuments, weighed by the length of the body each was parsed from
// (a parsed document takes a few times that, so this bounds them near 50 MiB).
const PARSED_DOCUMENT_UNITS = 16 * 1024 * 1024;
const parsedDocuments = new LruCache<{ doc: NpmDocument | null; weight: number }>(
  PARSED_DOCUMENT_UNITS,
  (entry) => entry.weight,
);

/** The highest release version (else any version) of a list, by semver. */
function highest(versions: string[]): string | undefined {
  const valid = versions.filter((v) => semver.valid(v));
  const releases = valid.filter((v) => !semver.prerelease(v));
  return (releases.length ? releases : valid).sort(semver.rcompare)[0];
}

/**
 * Leaves blocked versions out of a packument: their manifests and times go, a dist-tag that
 * pointed at one is dropped, and `latest` moves to the highest version left, so that no range
 * and no tag resolves to a blocked version.
 */
export function hideVersions(doc: NpmDocument, blocked: ReadonlySet<string>): NpmDocument {
  if (blocked.size === 0) return doc;
  const versions = Object.fromEntries(Object.entries(doc.versions).filter(([v]) => !blocked.has(v)));
  const tags = Object.fromEntries(Object.entries(doc['dist-tags']).filter(([, v]) => !blocked.has(v)));
  if (!tags.latest) {
    const pick = highest(Object.keys(versions));
    if (pick) tags.latest = pick;
  }
  const out: NpmDocument = { ...doc, versions, 'dist-tags': tags };
  if (isRecord(doc.time)) {
    out.time = Object.fromEntries(Object.entries(doc.time).filter(([k]) => !blocked.has(k)));
  }
  return out;
}

function abbreviated(doc: NpmDocument): NpmDocument {
  const versions: Record<string, Record<string, unknown>> = {};
  for (const [v, manifest] of Object.entries(doc.versions)) {
    versions[v] = abbreviate(manifest);
  }
  const modified =
    isRecord(doc.time) && typeof doc.time.modified === 'string' ? doc.time.modified : undefined;
  return { name: doc.name, ...(modified ? { modified } : {}), 'dist-tags': doc['dist-tags'], versions };
}

/** An upstream's packument as read for one request: the parsed document and how it was fetched. */
export type UpstreamPackument = NonNullable<Awaited<ReturnType<typeof upstreamDocument>>>;

/**
 * The upstream packument of `name`, or null when no upstream has it. When every upstream fails
 * and the repository holds versions of its own (`hasLocal`), those are still served: the
 * failure is logged and null returned.
 */
export async function upstreamPackument(
  ctx: ServiceContext,
  target: NpmTarget,
  name: string,
  hasLocal: boolean,
  upstreams: readonly UpstreamRow[] | undefined,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<UpstreamPackument | null> {
  try {
    return await upstreamDocument(ctx, target.repo, name, timing, upstreams);
  } catch (err) {
    // What the repository holds itself is still served when every upstream fails.
    if (!hasLocal || !(err instanceof ServiceError)) throw err;
    ctx.log.warn({ err, name, repo: target.repo.path }, 'upstreams failed; serving local versions only');
    return null;
  }
}

/** What the firewall decided about the versions of one packument. */
export interface PackumentJudgement {
  verdicts: Map<string, FirewallVerdict>;
  blocked: ReadonlySet<string>;
  mode: FirewallMode;
  /** The versions left out (hide mode). */
  hidden: string[];
}

/** The firewall's judgement of the versions a packument lists (logged when it blocks any). */
export async function judgePackument(
  ctx: ServiceContext,
  target: NpmTarget,
  name: string,
  versions: readonly string[],
  /** False when the caller has just read that no policy of the organisation can block. */
  mayBlock = true,
): Promise<PackumentJudgement> {
  const verdicts = await firewallVerdicts(ctx, target.repo.orgId, 'npm', name, versions, mayBlock);
  const blocked = new Set([...verdicts].filter(([, v]) => v.blocked).map(([version]) => version));
  // The mode matters only when something is blocked: without, both modes serve the same document.
  if (blocked.size === 0) return { verdicts, blocked, mode: DEFAULT_FIREWALL_MODE, hidden: [] };
  const mode = await firewallMode(ctx, target.repo.id);
  ctx.log.info(
    { repo: target.repo.path, name, mode, blocked: [...blocked] },
    mode === 'hide'
      ? 'firewall left blocked versions out of a packument'
      : 'firewall lists blocked versions whose tarballs it refuses',
  );
  return { verdicts, blocked, mode, hidden: mode === 'hide' ? [...blocked] : [] };
}

/** The versions a packument lists before the firewall: the upstream's and the repository's own. */
export function listedVersions(remote: UpstreamPackument | null, local: readonly string[]): string[] {
  if (!remote) return [...local];
  return [...new Set([...Object.keys(remote.doc.versions), ...local])];
}

/**
 * The document served: the repository's own versions (`local`) over the upstream's, tarball
 * URLs pointing at this registry, then the firewall's judgement applied (hide mode leaves
 * blocked versions out; refuse mode keeps them listed and refuses their tarballs). A newly
 * fetched upstream document that blocks versions is audited.
 */
export async function assemblePackument(
  ctx: ServiceContext,
  target: NpmTarget,
  name: string,
  local: NpmDocument | null,
  remote: UpstreamPackument | null,
  judgement: PackumentJudgement,
  abbreviatedForm: boolean,
): Promise<NpmDocument> {
  let doc: NpmDocument;
  if (remote) {
    const versions: Record<string, Record<string, unknown>> = {};
    for (const [v, manifest] of Object.entries(remote.doc.versions)) {
      const dist = { ...(manifest.dist as Record<string, unknown>) };
      dist.tarball = target.tarballUrl(name, tarballName(manifest));
      versions[v] = { ...manifest, dist };
    }
    doc = { ...remote.doc, versions };
    if (local) {
      Object.assign(doc.versions, local.versions);
      doc['dist-tags'] = { ...doc['dist-tags'], ...local['dist-tags'] };
      if (isRecord(doc.time) && isRecord(local.time)) doc.time = { ...doc.time, ...local.time };
    }
  } else {
    doc = local!;
  }
  const { blocked, mode, verdicts } = judgement;
  if (blocked.size > 0) {
    if (mode === 'hide') doc = hideVersions(doc, blocked);
    // A new set of blocked versions is audited when the upstream document was fetched anew,
    // not on every read of the cached copy.
    if (remote?.fetched.fetchedNow) await auditFirewall(ctx, target.repo, name, mode, verdicts);
  } else if (!doc['dist-tags'].latest) {
    const pick = highest(Object.keys(doc.versions));
    if (pick) doc['dist-tags'] = { ...doc['dist-tags'], latest: pick };
  }
  return abbreviatedForm ? abbreviated(doc) : doc;
}

/** What identifies an upstream document: a digest of its body. */
export function upstreamRevision(remote: UpstreamPackument | null): string | null {
  return remote?.revision ?? null;
}

/**
 * The packument the repository serves for `name`: its own versions (`local`, built from its
 * rows) over those of the first upstream that has the package, through the firewall (see
 * {@link assemblePackument}). Null when neither the repository nor an upstream has it.
 */
export async function servePackument(
  ctx: ServiceContext,
  target: NpmTarget,
  name: string,
  local: NpmDocument | null,
  options: {
    abbreviated: boolean;
    /** The repository's active npm upstreams, when the caller has loaded them already. */
    upstreams?: readonly UpstreamRow[];
  },
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<ServedPackument | null> {
  const remote = await upstreamPackument(ctx, target, name, Boolean(local), options.upstreams, timing);
  if (!remote && !local) return null;
  const versions = listedVersions(remote, local ? Object.keys(local.versions) : []);
  const judgement = await judgePackument(ctx, target, name, versions);
  return {
    packument: await assemblePackument(ctx, target, name, local, remote, judgement, options.abbreviated),
    stale: remote?.fetched.stale ?? false,
    hidden: judgement.hidden,
    upstreamRevision: upstreamRevision(remote),
  };
}

async function auditFirewall(
  ctx: ServiceContext,
  repo: RepoRef,
  name: string,
  mode: FirewallMode,
  verdicts: Map<string, FirewallVerdict>,
): Promise<void> {
  const blocked = [...verdicts].filter(([, v]) => v.blocked);
  await inTransaction(ctx, async (trx) => {
    await recordAudit(trx, SYSTEM_ACTOR, ctx.clock(), {
      orgId: repo.orgId,
      repoId: repo.id,
      event: mode === 'hide' ? 'firewall.versions_hidden' : 'firewall.versions_flagged',
      eventKind: 'action',
      object: name,
      objectKind: 'package',
      target: repo.path,
      targetKind: 'repository',
      targetSlugPerm: repo.id,
      context: {
        format: 'npm',
        mode,
        versions: Object.fromEntries(blocked.map(([v, verdict]) => [v, verdict.reasons])),
      },
    });
  });
}

/**
 * The tarball `filename` of `name` from the repository's upstreams: found in the upstream's
 * packument, checked by the firewall, downloaded and verified against the upstream's
 * `dist.integrity` and `dist.shasum`, and kept as a Package in Cache and Proxy mode. Null when
 * no upstream lists the file.
 */
export async function fetchUpstreamTarball(
  ctx: ServiceContext,
  repo: RepoRef,
  name: string,
  filename: string,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<FetchedArtifact | null> {
  const remote = await upstreamDocument(ctx, repo, name, timing);
  if (!remote) return null;
  const entry = Object.entries(remote.doc.versions).find(([, m]) => tarballName(m) === filename);
  if (!entry) return null;
  const [version, manifest] = entry;
  await assertNotBlocked(ctx, repo, 'npm', name, version);
  const dist = manifest.dist as Record<string, unknown>;
  return fetchArtifact(
    ctx,
    remote.fetched.upstream,
    String(dist.tarball),
    {
      sri: typeof dist.integrity === 'string' ? dist.integrity : null,
      hex: typeof dist.shasum === 'string' ? { sha1: dist.shasum } : {},
    },
    { repo, format: 'npm', name, version, filename },
    timing,
  );
}
