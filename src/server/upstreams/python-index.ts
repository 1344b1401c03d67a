/**
 * Where the Python index meets the upstreams and the firewall: a project page holds the
 * repository's own files and, when it has Python upstreams, theirs (its own win on a shared file
 * name); versions the firewall blocks are left out in hide mode and refused as downloads in
 * either mode; a file the repository does not hold is fetched from the upstream that lists it.
 */

import { repoRef } from '../domain/package-query.js';
import type { ServiceContext } from '../domain/context.js';
import { cachedDocument, type DocumentBody } from '../domain/document-cache.js';
import { ServiceError } from '../domain/errors.js';
import type { RepoAccess } from '../domain/repos.js';
import { nameAndVersionOfFilename } from '../formats/python.js';
import {
  findIndexFile,
  listProjectFiles,
  normalizeProjectName,
  openDistribution,
  type Distribution,
  type IndexFile,
  type ProjectFiles,
} from '../pypi/index.js';
import { projectPageTag, projectRevision } from '../pypi/page-cache.js';
import { renderProjectHtml, renderProjectJson } from '../pypi/render.js';
import { listPythonRevisions } from '../store/python-index.js';
import { activeUpstreams } from './fetch.js';
import { assertNotBlocked } from './firewall-guard.js';
import { firewallMode } from './firewall-setting.js';
import { firewallVerdicts } from './firewall.js';
import { fetchUpstreamFile, serveProject, upstreamProject, type PythonFile } from './python.js';

/** A project page as the index serves it, and whether it holds an expired upstream copy. */
export interface IndexProject {
  project: ProjectFiles;
  stale: boolean;
}

function upstreamFile(name: string, f: PythonFile): IndexFile {
  return {
    packageId: '',
    name,
    version: f.version,
    filename: f.filename,
    sha256: f.sha256,
    md5: null,
    size: null,
    kind: f.filename.endsWith('.whl') ? 'wheel' : 'sdist',
    requiresPython: f.requiresPython,
    requiresDist: [],
    coreMetadataSha256: null,
    yanked: f.yanked,
    summary: '',
    license: '',
    uploadedAt: '',
  };
}

async function ownFiles(
  ctx: ServiceContext,
  repo: RepoAccess,
  project: string,
): Promise<ProjectFiles | null> {
  try {
    return await listProjectFiles(ctx, repo, project);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'not_found') return null;
    throw err;
  }
}

/** The versions of a project page that the firewall leaves out: blocked ones, in hide mode. */
async function hiddenVersions(
  ctx: ServiceContext,
  repo: RepoAccess,
  normalized: string,
  versions: string[],
): Promise<string[]> {
  const verdicts = await firewallVerdicts(
    ctx,
    repo.org.id,
    'python',
    normalized,
    versions,
    repo.facts?.hasBlockingPolicies !== false,
  );
  const blocked = versions.filter((v) => verdicts.get(v)?.blocked);
  // The mode matters only when something is blocked: without, both modes serve the same page.
  if (blocked.length === 0) return [];
  const mode = await firewallMode(ctx, repo.repo.id);
  ctx.log.info(
    { repo: `${repo.org.slug}/${repo.repo.slug}`, project: normalized, mode, blocked },
    mode === 'hide'
      ? 'firewall hid versions of a project page'
      : 'firewall lists blocked versions of a project page whose files it refuses',
  );
  return mode === 'hide' ? blocked : [];
}

/** Leaves out the files of versions the firewall blocks when the repository hides them. */
async function throughFirewall(
  ctx: ServiceContext,
  repo: RepoAccess,
  project: ProjectFiles,
): Promise<ProjectFiles> {
  const versions = [...new Set(project.files.map((f) => f.version))];
  const blocked = await hiddenVersions(ctx, repo, project.normalized, versions);
  if (blocked.length === 0) return project;
  return { ...project, files: project.files.filter((f) => !blocked.includes(f.version)) };
}

/** The repository's own files over those only an upstream lists (its own win on a shared file name). */
function mergeFiles(
  own: ProjectFiles | null,
  normalized: string,
  upstream: readonly PythonFile[],
): ProjectFiles {
  const name = own?.name ?? normalized;
  const held = new Set(own?.files.map((f) => f.filename) ?? []);
  const extra = upstream.filter((f) => !held.has(f.filename)).map((f) => upstreamFile(name, f));
  return { name, normalized, files: [...(own?.files ?? []), ...extra] };
}

/** A project page as the index serves it: its entity tag, and its text made or kept under it. */
export interface IndexPage {
  etag: string;
  /** Whether it holds an expired upstream copy. */
  stale: boolean;
  /** The page's text (and its gzip), rendered the first time a page with this tag is asked for. */
  body(): Promise<DocumentBody>;
}

/**
 * The simple page of `project` in `form`, as {@link indexProject} composes it. Its entity tag
 * is computed first from the rows and digests the page is made of (no file metadata is read or
 * decoded for it), and the rendered text is kept under the tag: a page is rendered once per
 * change, whichever replica made the change, and a cached page costs three small statements
 * (the key, the repository, the project's revision rows) when the repository has no upstreams
 * or blocking policies. 404 naming the project when neither the repository nor an upstream has
 * it (or all of it is hidden).
 */
export async function indexPage(
  ctx: ServiceContext,
  repo: RepoAccess,
  project: string,
  form: 'html' | 'json',
): Promise<IndexPage> {
  const normalized = normalizeProjectName(project);
  const own = (await listPythonRevisions(ctx, repo.repo.id, normalized)).filter((r) => !r.quarantined);
  const upstreams =
    repo.facts?.hasUpstreams === false ? [] : await activeUpstreams(ctx, repo.repo.id, 'python');
  const remote =
    upstreams.length > 0 ? await upstreamProject(ctx, repoRef(repo), normalized, undefined, upstreams) : null;
  // A file both hold has one version either way (the file name says it), so these are the
  // versions of every file the page can list.
  const versions = [
    ...new Set([...own.map((r) => r.version), ...(remote?.files.map((f) => f.version) ?? [])]),
  ];
  const hidden = versions.length > 0 ? await hiddenVersions(ctx, repo, normalized, versions) : [];
  const shown = (version: string) => !hidden.includes(version);
  if (!own.some((r) => shown(r.version)) && !remote?.files.some((f) => shown(f.version))) {
    throw new ServiceError(
      'not_found',
      `Project '${project}' not found in the Python index of ${repo.org.slug}/${repo.repo.slug} or its upstreams.`,
    );
  }
  const revision = projectRevision(own);
  const etag = projectPageTag({ form, revision, upstreamRevision: remote?.revision ?? null, hidden });
  const make = async () => {
    const mine = own.length > 0 ? await ownFiles(ctx, repo, project) : null;
    const merged = remote ? mergeFiles(mine, normalized, remote.files) : mine;
    const files = (merged?.files ?? []).filter((f) => shown(f.version));
    const page = { name: merged?.name ?? normalized, normalized, files };
    const text = form === 'json' ? JSON.stringify(renderProjectJson(page)) : renderProjectHtml(page);
    // Files that changed between the two reads: the text is of the newer ones, so it is not kept
    // under the older tag (the next request reads the new tag and renders again).
    const unchanged =
      projectRevision(mine?.files.map((f) => ({ id: f.packageId, yanked: f.yanked !== false })) ?? []) ===
      revision;
    return { text, keep: unchanged };
  };
  const key = `simple\0${etag}\0${repo.repo.id}\0${normalized}`;
  return { etag, stale: remote?.fetched.stale ?? false, body: () => cachedDocument(ctx, key, make) };
}

/**
 * The page of `project`: the repository's own files, then those only its Python upstreams list,
 * through the firewall. 404 naming the project when neither has it (or all of it is hidden).
 */
export async function indexProject(
  ctx: ServiceContext,
  repo: RepoAccess,
  project: string,
): Promise<IndexProject> {
  const own = await ownFiles(ctx, repo, project);
  const normalized = normalizeProjectName(project);
  const upstreams =
    repo.facts?.hasUpstreams === false ? [] : await activeUpstreams(ctx, repo.repo.id, 'python');
  let merged: ProjectFiles | null = own;
  let stale = false;
  if (upstreams.length > 0) {
    const served = await serveProject(ctx, repoRef(repo), normalized);
    if (served) {
      stale = served.stale;
      merged = mergeFiles(own, normalized, served.files);
    }
  }
  const page = merged && (await throughFirewall(ctx, repo, merged));
  if (!page || page.files.length === 0) {
    throw new ServiceError(
      'not_found',
      `Project '${project}' not found in the Python index of ${repo.org.slug}/${repo.repo.slug} or its upstreams.`,
    );
  }
  return { project: page, stale };
}

/**
 * The file `filename`: the repository's own (after its download guards and the firewall), else
 * one fetched from the upstream that lists it (verified against its sha256, kept in Cache and
 * Proxy mode, refused when the firewall blocks its version). 404 when neither has it.
 */
export async function indexDistribution(
  ctx: ServiceContext,
  repo: RepoAccess,
  filename: string,
): Promise<Distribution> {
  const ref = repoRef(repo);
  const own = await findIndexFile(ctx, repo, filename);
  if (own) {
    // Without a vulnerability or deny policy (read with the repository) nothing can be blocked.
    if (repo.facts?.hasBlockingPolicies !== false) {
      await assertNotBlocked(ctx, ref, 'python', own.name_key, own.version);
    }
    return openDistribution(ctx, repo, filename, own);
  }
  const stated = nameAndVersionOfFilename(filename);
  const fetched = stated && (await fetchUpstreamFile(ctx, ref, normalizeProjectName(stated.name), filename));
  if (!fetched) {
    throw new ServiceError(
      'not_found',
      `File '${filename}' not found in the Python index of ${repo.org.slug}/${repo.repo.slug} or its upstreams.`,
    );
  }
  return {
    filename,
    size: fetched.size,
    sha256: fetched.sha256,
    md5: null,
    ranged: false,
    open: () => fetched.open(),
  };
}
