/**
 * What the native Python index reads: the projects of a repository and the files of a project,
 * each a live `python` package row with its blob's checksums and whether a tag yanks it.
 */

import { decodeObject } from './codecs.js';
import { compiledOnce } from './compiled-once.js';
import type { Db } from './db.js';
import { dbOf, type DbSource } from './source.js';

/** The tag that marks a file yanked (PEP 592): installers skip it unless pinned exactly. */
export const YANKED_TAG = 'yanked';

/** One distribution file of the index. */
export interface PythonFileRecord {
  id: string;
  name: string;
  name_key: string;
  version: string;
  filename: string;
  blob_sha256: string;
  md5: string;
  size: number;
  summary: string;
  license: string;
  metadata: Record<string, unknown>;
  uploaded_at: string;
  is_quarantined: number;
  yanked: boolean;
}

function liveFiles(db: Db, repoId: string) {
  return db
    .selectFrom('packages')
    .innerJoin('blobs', 'blobs.sha256', 'packages.blob_sha256')
    .leftJoin('package_tags as yank', (join) =>
      join.onRef('yank.package_id', '=', 'packages.id').on('yank.tag', '=', YANKED_TAG),
    )
    .select([
      'packages.id',
      'packages.name',
      'packages.name_key',
      'packages.version',
      'packages.filename',
      'packages.blob_sha256',
      'blobs.md5',
      'blobs.size',
      'packages.summary',
      'packages.license',
      'packages.metadata',
      'packages.uploaded_at',
      'packages.is_quarantined',
      'yank.tag as yank_tag',
    ])
    .where('packages.repo_id', '=', repoId)
    .where('packages.format', '=', 'python')
    .where('packages.deleted_at', 'is', null);
}

type FileRow = Omit<PythonFileRecord, 'metadata' | 'yanked' | 'size'> & {
  metadata: string;
  size: number | string | bigint;
  yank_tag: string | null;
};

function decode(row: FileRow): PythonFileRecord {
  const { yank_tag: yankTag, ...rest } = row;
  return {
    ...rest,
    size: Number(row.size),
    metadata: decodeObject(row.metadata) ?? {},
    yanked: yankTag !== null,
  };
}

/** The files of the project `nameKey` (its PEP 503 normalised name) in a repository, oldest first. */
export async function listPythonFiles(
  src: DbSource,
  repoId: string,
  nameKey: string,
): Promise<PythonFileRecord[]> {
  return (await selectProjectFiles(src, { repoId, nameKey })).rows.map(decode);
}

// Compiled once, as is the lookup by file name: every page and every download runs one of them.
const selectProjectFiles = compiledOnce((db, p: { repoId: string; nameKey: string }) =>
  liveFiles(db, p.repoId)
    .where('packages.name_key', '=', p.nameKey)
    .orderBy('packages.uploaded_at')
    .orderBy('packages.filename'),
);

const selectFileByName = compiledOnce((db, p: { repoId: string; filename: string }) =>
  liveFiles(db, p.repoId).where('packages.filename', '=', p.filename).limit(1),
);

/** The file of a repository with this exact file name, if one is live. */
export async function findPythonFile(
  src: DbSource,
  repoId: string,
  filename: string,
): Promise<PythonFileRecord | undefined> {
  const row = (await selectFileByName(src, { repoId, filename })).rows[0];
  return row && decode(row);
}

/**
 * The projects of a repository that have a file not quarantined: each normalised name with the
 * name its newest file gives, sorted by the normalised name.
 */
export async function listPythonProjects(
  src: DbSource,
  repoId: string,
): Promise<{ name_key: string; name: string }[]> {
  const db = dbOf(src);
  const rows = await db
    .selectFrom('packages')
    .select(['name_key', 'name', 'uploaded_at'])
    .where('repo_id', '=', repoId)
    .where('format', '=', 'python')
    .where('deleted_at', 'is', null)
    .where('is_quarantined', '=', 0)
    .orderBy('name_key')
    .orderBy('uploaded_at', 'desc')
    .execute();
  const out: { name_key: string; name: string }[] = [];
  for (const r of rows)
    if (out.at(-1)?.name_key !== r.name_key) out.push({ name_key: r.name_key, name: r.name });
  return out;
}
