/**
 * Where the Python index meets the upstreams and the firewall: a project page holds the
 * repository's own files and, when it has Python upstreams, theirs (its own win on a shared file
 * name); versions the firewall blocks are left out in hide mode and refused as downloads in
 * either mode; a file the repository does not hold is fetched from the upstream that lists it.
 */

import { repoRef } from '../domain/package-query.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { RepoAccess } from '../domain/repos.js';
import { nameAndVersionOfFilename } from '../formats/python.js';
import {
  listProjectFiles,
  normalizeProjectName,
  openDistribution,
  type Distribution,
  type IndexFile,
  type ProjectFiles,
} from '../pypi/index.js';
import { findPythonFile } from '../store/python-index.js';
import { activeUpstreams } from './fetch.js';
import { assertNotBlocked } from './firewall-guard.js';
import { firewallMode } from './firewall-setting.js';
import { firewallVerdicts } from './firewall.js';
import { fetchUpstreamFile, serveProject, type PythonFile } from './python.js';

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

/** Leaves out the files of versions the firewall blocks when the repository hides them. */
async function throughFirewall(
  ctx: ServiceContext,
  repo: RepoAccess,
  project: ProjectFiles,
): Promise<ProjectFiles> {
  const versions = [...new Set(project.files.map((f) => f.version))];
  const verdicts = await firewallVerdicts(
    ctx,
    repo.org.id,
    'python',
    project.normalized,
    versions,
    repo.facts?.hasBlockingPolicies !== false,
  );
  const blocked = versions.filter((v) => verdicts.get(v)?.blocked);
  if (blocked.length === 0 || (await firewallMode(ctx, repo.repo.id)) !== 'hide') return project;
  ctx.log.info(
    { repo: `${repo.org.slug}/${repo.repo.slug}`, project: project.normalized, blocked },
    'firewall hid versions of a project page',
  );
  return { ...project, files: project.files.filter((f) => !blocked.includes(f.version)) };
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
      const name = own?.name ?? normalized;
      const held = new Set(own?.files.map((f) => f.filename) ?? []);
      const extra = served.files.filter((f) => !held.has(f.filename)).map((f) => upstreamFile(name, f));
      merged = { name, normalized, files: [...(own?.files ?? []), ...extra] };
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
  const own = await findPythonFile(ctx, repo.repo.id, filename);
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
