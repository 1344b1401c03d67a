/**
 * Python's side of the upstream machinery: project pages of a repository's Python upstreams
 * (the simple API, JSON per PEP 691 or HTML per PEP 503), cached and revalidated like npm
 * packuments, passed through the same firewall, and files fetched and verified against the
 * page's sha256. The Python index renders what this returns.
 */

import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { RepoRef } from '../domain/package-writes.js';
import { fetchArtifact, type FetchedArtifact } from './artifacts.js';
import { LruCache } from '../domain/document-cache.js';
import {
  activeUpstreams,
  DEFAULT_TIMING,
  fetchDocument,
  upstreamUrl,
  type FetchedDocument,
  type UpstreamTiming,
} from './fetch.js';
import { firewallMode } from './firewall-setting.js';
import { firewallVerdicts } from './firewall.js';
import { assertNotBlocked } from './firewall-guard.js';
import type { UpstreamRow } from './config.js';

/** One file of a project as an upstream lists it. */
export interface PythonFile {
  filename: string;
  /** Where the upstream serves it (absolute). */
  url: string;
  /** The sha256 the upstream declares (hex), or null when it declares none. */
  sha256: string | null;
  requiresPython: string | null;
  /** The yank reason, `true` when yanked without one, or false. */
  yanked: string | boolean;
  /** The version read from the file name. */
  version: string;
}

/** A project's files as served from the upstreams, through the firewall. */
export interface ServedProject {
  files: PythonFile[];
  /** An upstream failed and its expired page was used. */
  stale: boolean;
  /** Versions the firewall left out (hide mode). */
  hidden: string[];
}

/** What the simple API asks for: JSON when the upstream speaks it, else HTML. */
const SIMPLE_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

/** A project name normalised as PEP 503 says: lower case, runs of `-`, `_` and `.` as one `-`. */
export function normalizeProject(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/**
 * The version in a distribution file name: a wheel's second field, or what follows the last
 * `-` of an sdist's stem. Null for names that are neither.
 */
export function versionFromFilename(filename: string): string | null {
  if (filename.endsWith('.whl')) return filename.split('-')[1] ?? null;
  const stem = /^(.+)\.(tar\.gz|tar\.bz2|tgz|zip)$/.exec(filename)?.[1];
  if (!stem || !stem.includes('-')) return null;
  return stem.slice(stem.lastIndexOf('-') + 1) || null;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function fileOf(
  filename: string,
  href: string,
  base: string,
  hashes: Record<string, unknown>,
  requiresPython: string | null,
  yanked: string | boolean,
): PythonFile | null {
  const version = versionFromFilename(filename);
  if (!version) return null;
  const url = new URL(href, base);
  const fragment = /^#sha256=([0-9a-fA-F]{64})$/.exec(url.hash)?.[1];
  url.hash = '';
  const sha256 = typeof hashes.sha256 === 'string' ? hashes.sha256 : (fragment ?? null);
  return {
    filename,
    url: url.toString(),
    sha256: sha256?.toLowerCase() ?? null,
    requiresPython,
    yanked,
    version,
  };
}

/** Reads a simple-API project page, JSON (PEP 691) or HTML (PEP 503), into its files. */
export function readProjectPage(body: string, pageUrl: string): PythonFile[] {
  const trimmed = body.trimStart();
  const files: PythonFile[] = [];
  if (trimmed.startsWith('{')) {
    const doc = JSON.parse(trimmed) as { files?: Array<Record<string, unknown>> };
    for (const f of doc.files ?? []) {
      if (typeof f.filename !== 'string' || typeof f.url !== 'string') continue;
      const yanked = typeof f.yanked === 'string' || f.yanked === true ? f.yanked : false;
      const requires = typeof f['requires-python'] === 'string' ? f['requires-python'] : null;
      const hashes =
        typeof f.hashes === 'object' && f.hashes !== null ? (f.hashes as Record<string, unknown>) : {};
      const file = fileOf(f.filename, f.url, pageUrl, hashes, requires, yanked as string | boolean);
      if (file) files.push(file);
    }
    return files;
  }
  for (const m of body.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of m[1]!.matchAll(/([\w-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
      attrs.set(a[1]!.toLowerCase(), unescapeHtml(a[3] ?? a[4] ?? ''));
    }
    const href = attrs.get('href');
    if (!href) continue;
    const filename = unescapeHtml(m[2]!.trim());
    const yankedAttr = attrs.get('data-yanked');
    const yanked = yankedAttr === undefined ? false : yankedAttr || true;
    const file = fileOf(filename, href, pageUrl, {}, attrs.get('data-requires-python') ?? null, yanked);
    if (file) files.push(file);
  }
  return files;
}

// Room for parsed upstream pages, weighed by the length of the body each was parsed from.
const PARSED_PAGE_UNITS = 16 * 1024 * 1024;
const parsedPages = new LruCache<{ files: PythonFile[]; weight: number }>(
  PARSED_PAGE_UNITS,
  (entry) => entry.weight,
);

/** A project's page as one of the repository's Python upstreams lists it. */
export interface UpstreamProject {
  /** Its files, as parsed (shared between requests: never to be changed). */
  files: readonly PythonFile[];
  fetched: FetchedDocument;
  /** Which page it is: the digest of the body its files were read from. */
  revision: string;
}

/**
 * The page of `project` from the first of the repository's Python upstreams that has it (cached,
 * revalidated, served stale when the upstream fails), or null when none has it. Its files are
 * read from the body once per distinct body (kept by the body's digest and the page's URL, an
 * entry is never out of date), so a cached page costs no read of its body.
 */
export async function upstreamProject(
  ctx: ServiceContext,
  repo: RepoRef,
  project: string,
  timing: UpstreamTiming = DEFAULT_TIMING,
  /** The repository's active Python upstreams, when the caller has loaded them already. */
  known?: readonly UpstreamRow[],
): Promise<UpstreamProject | null> {
  const upstreams = known ?? (await activeUpstreams(ctx, repo.id, 'python'));
  if (upstreams.length === 0) return null;
  const name = normalizeProject(project);
  const fetched = await fetchDocument(ctx, upstreams, `python:${name}`, `${name}/`, SIMPLE_ACCEPT, timing);
  if (!fetched) return null;
  const pageUrl = upstreamUrl(fetched.upstream, `${name}/`);
  let revision = fetched.digest;
  let parsed = parsedPages.get(`${pageUrl}\0${revision}`);
  if (!parsed) {
    const { body, digest } = await fetched.read();
    // The digest of what was read: the copy may have been replaced since its digest was.
    revision = digest;
    let files: PythonFile[];
    try {
      files = readProjectPage(body, pageUrl);
    } catch {
      throw new ServiceError(
        'upstream_failed',
        `Upstream '${fetched.upstream.name}' answered for '${name}' with a page that cannot be read.`,
      );
    }
    parsed = { files, weight: body.length };
    parsedPages.set(`${pageUrl}\0${revision}`, parsed);
  }
  return { files: parsed.files, fetched, revision };
}

/**
 * The files of `project` from the repository's Python upstreams (the first that has it),
 * through the firewall: in hide mode the files of blocked versions are left out. Null when no
 * upstream has the project.
 */
export async function serveProject(
  ctx: ServiceContext,
  repo: RepoRef,
  project: string,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<ServedProject | null> {
  const remote = await upstreamProject(ctx, repo, project, timing);
  if (!remote) return null;
  const versions = [...new Set(remote.files.map((f) => f.version))];
  const verdicts = await firewallVerdicts(ctx, repo.orgId, 'python', normalizeProject(project), versions);
  const blocked = versions.filter((v) => verdicts.get(v)?.blocked);
  let files = [...remote.files];
  let hidden: string[] = [];
  if (blocked.length > 0) {
    const mode = await firewallMode(ctx, repo.id);
    ctx.log.info(
      { repo: repo.path, project, mode, blocked },
      'firewall judged blocked versions of a project page',
    );
    if (mode === 'hide') {
      files = files.filter((f) => !blocked.includes(f.version));
      hidden = blocked;
    }
  }
  return { files, stale: remote.fetched.stale, hidden };
}

/**
 * The file `filename` of `project` from the upstream that lists it: checked by the firewall (403
 * naming the advisories), verified against the page's sha256 (502 on a mismatch, nothing kept),
 * and kept as a Package in Cache and Proxy mode. Null when no upstream lists the file.
 */
export async function fetchUpstreamFile(
  ctx: ServiceContext,
  repo: RepoRef,
  project: string,
  filename: string,
  timing: UpstreamTiming = DEFAULT_TIMING,
): Promise<FetchedArtifact | null> {
  const remote = await upstreamProject(ctx, repo, project, timing);
  const file = remote?.files.find((f) => f.filename === filename);
  if (!remote || !file) return null;
  await assertNotBlocked(ctx, repo, 'python', normalizeProject(project), file.version);
  const upstream: UpstreamRow = remote.fetched.upstream;
  return fetchArtifact(
    ctx,
    upstream,
    file.url,
    { hex: file.sha256 ? { sha256: file.sha256 } : {} },
    { repo, format: 'python', name: project, version: file.version, filename },
    timing,
  );
}
