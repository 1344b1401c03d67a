/**
 * The native Python index of a repository, read side: its projects, the files of a project (the
 * rows the simple pages and the JSON API are rendered from), and the bytes of a file or of a
 * wheel's core metadata. Every file is a live `python` package of the repository, however it got
 * there (twine, the packages API, a promotion). Quarantined files are left out of the pages and
 * refused as downloads, as the download guards refuse them everywhere else.
 */

import type { Readable } from 'node:stream';
import { blobArchiveSource } from '../formats/archive.js';
import { nameKeyFor } from '../formats/index.js';
import { nameAndVersionOfFilename, readWheelMetadata } from '../formats/python.js';
import { findLivePackageById } from '../store/packages.js';
import type { ByteRange } from '../store/blobs.js';
import {
  findPythonFile,
  listPythonFiles,
  listPythonProjects,
  type PythonFileRecord,
} from '../store/python-index.js';
import type { Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { DOWNLOAD_GUARDS } from '../domain/downloads.js';
import { notFound } from '../domain/errors.js';
import { resolveRepo, type RepoAccess } from '../domain/repos.js';

/** One distribution file as the index lists it. */
export interface IndexFile {
  packageId: string;
  /** The project name as this file's metadata gives it. */
  name: string;
  version: string;
  filename: string;
  /** Null (with md5 and size) for a file an upstream lists without a hash and that is not kept here. */
  sha256: string | null;
  /** Null for a file listed from an upstream and not yet kept here. */
  md5: string | null;
  size: number | null;
  kind: 'wheel' | 'sdist';
  requiresPython: string | null;
  requiresDist: string[];
  /** The sha256 of the wheel's METADATA, served at `<file URL>.metadata`; null when there is none. */
  coreMetadataSha256: string | null;
  /** PEP 592: tagged `yanked` (an upstream's file may carry its reason). */
  yanked: boolean | string;
  summary: string;
  license: string;
  uploadedAt: string;
}

/** A project's page: its name (as its newest file gives it), its normalised name and its files. */
export interface ProjectFiles {
  name: string;
  normalized: string;
  files: IndexFile[];
}

/** PEP 503 name normalisation: lower case, each run of `-`, `_` and `.` one `-`. */
export function normalizeProjectName(name: string): string {
  return nameKeyFor('python', name);
}

/** The live file `filename` of the repository's index, looked up among its project's files. */
export function findIndexFile(
  ctx: ServiceContext,
  repo: RepoAccess,
  filename: string,
): Promise<PythonFileRecord | undefined> {
  const stated = nameAndVersionOfFilename(filename);
  return findPythonFile(ctx, repo.repo.id, filename, stated ? normalizeProjectName(stated.name) : undefined);
}

/** The repository behind an index request, with Read (anonymous on a public repository). */
export function indexRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
): Promise<RepoAccess> {
  return resolveRepo(ctx, actor, owner, repo, 'Read');
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function indexFile(row: PythonFileRecord): IndexFile {
  const meta = row.metadata;
  return {
    packageId: row.id,
    name: row.name,
    version: row.version,
    filename: row.filename,
    sha256: row.blob_sha256,
    md5: row.md5,
    size: row.size,
    kind: meta.distribution === 'sdist' ? 'sdist' : 'wheel',
    requiresPython: typeof meta.requires_python === 'string' ? meta.requires_python : null,
    requiresDist: strings(meta.requires_dist),
    coreMetadataSha256: typeof meta.core_metadata_sha256 === 'string' ? meta.core_metadata_sha256 : null,
    yanked: row.yanked,
    summary: row.summary,
    license: row.license,
    uploadedAt: row.uploaded_at,
  };
}

/** The projects of the repository's index, sorted by normalised name. */
export async function listProjects(
  ctx: ServiceContext,
  repo: RepoAccess,
): Promise<{ name: string; normalized: string }[]> {
  const rows = await listPythonProjects(ctx, repo.repo.id);
  return rows.map((r) => ({ name: r.name, normalized: r.name_key }));
}

/**
 * The files of `project` (any spelling; matched by its normalised name) that may be installed:
 * live, not quarantined. 404 naming the project when it has none.
 */
export async function listProjectFiles(
  ctx: ServiceContext,
  repo: RepoAccess,
  project: string,
): Promise<ProjectFiles> {
  const normalized = normalizeProjectName(project);
  const rows = (await listPythonFiles(ctx, repo.repo.id, normalized)).filter((r) => r.is_quarantined === 0);
  if (rows.length === 0) {
    throw notFound(`Project '${project}' in the Python index of ${repo.org.slug}/${repo.repo.slug}`);
  }
  return { name: rows.at(-1)!.name, normalized, files: rows.map(indexFile) };
}

async function downloadable(
  ctx: ServiceContext,
  repo: RepoAccess,
  filename: string,
  known?: PythonFileRecord,
): Promise<PythonFileRecord> {
  const row = known?.filename === filename ? known : await findIndexFile(ctx, repo, filename);
  const pkg = row && (await findLivePackageById(ctx, repo.repo.id, row.id));
  if (!row || !pkg) {
    throw notFound(`File '${filename}' in the Python index of ${repo.org.slug}/${repo.repo.slug}`);
  }
  for (const guard of DOWNLOAD_GUARDS) await guard(ctx, pkg);
  return row;
}

/** A file to send: what the response headers need, and how to open its bytes (whole or a range). */
export interface Distribution {
  filename: string;
  size: number;
  sha256: string;
  md5: string | null;
  /** Whether `open` honours a byte range (a file fetched from an upstream is sent whole). */
  ranged: boolean;
  open(range?: ByteRange): Promise<Readable>;
}

/**
 * The distribution file `filename` of the repository, after every download guard (quarantine,
 * deny policies) has passed; 404 when the index has no such file.
 */
export async function openDistribution(
  ctx: ServiceContext,
  repo: RepoAccess,
  filename: string,
  /** The file's row, when the caller has just read it. */
  known?: PythonFileRecord,
): Promise<Distribution> {
  const row = await downloadable(ctx, repo, filename, known);
  // The row carries its blob's size and md5 already: no second lookup of the blob.
  return {
    filename: row.filename,
    size: row.size,
    sha256: row.blob_sha256,
    md5: row.md5,
    ranged: true,
    open: (range) => ctx.blobs.read(row.blob_sha256, range),
  };
}

/** A wheel's core metadata: the hash the pages announce for it, and how to read its bytes. */
export interface CoreMetadata {
  /** The sha256 of the METADATA bytes (what `data-core-metadata` announces). */
  sha256: string;
  /** The sha256 of the wheel it is read from: the bytes never change for one wheel. */
  wheelSha256: string;
  read(): Promise<Buffer>;
}

/**
 * The core metadata of the wheel `filename` (PEP 658), the exact bytes its announced hash
 * covers, after every download guard has passed; 404 when the file is not a wheel whose
 * metadata the index announces.
 */
export async function openCoreMetadata(
  ctx: ServiceContext,
  repo: RepoAccess,
  filename: string,
): Promise<CoreMetadata> {
  const row = await downloadable(ctx, repo, filename);
  const sha256 = row.metadata.core_metadata_sha256;
  if (typeof sha256 !== 'string') {
    throw notFound(
      `Core metadata of '${filename}' in the Python index of ${repo.org.slug}/${repo.repo.slug}`,
    );
  }
  return {
    sha256,
    wheelSha256: row.blob_sha256,
    read: () =>
      readWheelMetadata({ filename, source: blobArchiveSource(ctx.blobs, row.blob_sha256, row.size) }),
  };
}
