/**
 * What the native Python index reads: the projects of a repository and the files of a project,
 * each a live `python` package row with its blob's checksums and whether a tag yanks it.
 */

import { decodeObject } from './codecs.js';
import { compiledOnce } from './compiled-once.js';
import { liveIndexCondition } from './packages.js';
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
  return (
    db
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
      .where('packages.deleted_at', 'is', null)
      // Written out (not bound) so that SQLite sees that the partial index packages_live_python_file
      // covers the query: with a bound format it walks every package of the repository instead.
      .where(liveIndexCondition('python'))
  );
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

/** Oldest upload first, then by file name: the order of a project's files on its page. */
function byUpload(
  a: { uploaded_at: string; filename: string },
  b: { uploaded_at: string; filename: string },
) {
  if (a.uploaded_at !== b.uploaded_at) return a.uploaded_at < b.uploaded_at ? -1 : 1;
  return a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0;
}

/** The files of the project `nameKey` (its PEP 503 normalised name) in a repository, oldest first. */
export async function listPythonFiles(
  src: DbSource,
  repoId: string,
  nameKey: string,
): Promise<PythonFileRecord[]> {
  const { rows } = await selectProjectFiles(src, { repoId, nameKey });
  return rows.sort(byUpload).map(decode);
}

// Compiled once, as is the lookup by file name: every page and every download runs one of them.
// No ORDER BY: with one, SQLite walks the repository's packages in upload order rather than
// the project's few through the partial index; the rows are sorted above instead.
const selectProjectFiles = compiledOnce((db, p: { repoId: string; nameKey: string }) =>
  liveFiles(db, p.repoId).where('packages.name_key', '=', p.nameKey),
);

/** What a project page's entity tag is made of, per live file: nothing that cannot change. */
export interface PythonRevisionRecord {
  id: string;
  version: string;
  quarantined: boolean;
  yanked: boolean;
}

// Read on every page request, before the page cache is asked. A file's name, version, bytes,
// metadata and upload time never change under its id; what can change is whether it is live
// (the row leaves the index), quarantined or yanked. Names none of the long columns (the
// description and metadata, often on overflow pages), which the full statement decodes.
const selectProjectRevisions = compiledOnce((db, p: { repoId: string; nameKey: string }) =>
  db
    .selectFrom('packages')
    .leftJoin('package_tags as yank', (join) =>
      join.onRef('yank.package_id', '=', 'packages.id').on('yank.tag', '=', YANKED_TAG),
    )
    .select(['packages.id', 'packages.version', 'packages.is_quarantined', 'yank.tag as yank_tag'])
    .where('packages.repo_id', '=', p.repoId)
    .where('packages.name_key', '=', p.nameKey)
    .where('packages.deleted_at', 'is', null)
    // As above: the partial index packages_live_python_file covers the query.
    .where(liveIndexCondition('python')),
);

/** The live files of the project `nameKey` as far as its page's revision needs them, in id order. */
export async function listPythonRevisions(
  src: DbSource,
  repoId: string,
  nameKey: string,
): Promise<PythonRevisionRecord[]> {
  const { rows } = await selectProjectRevisions(src, { repoId, nameKey });
  return rows
    .map((r) => ({
      id: r.id,
      version: r.version,
      quarantined: Number(r.is_quarantined) !== 0,
      yanked: r.yank_tag !== null,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

const selectFileByName = compiledOnce((db, p: { repoId: string; filename: string }) =>
  liveFiles(db, p.repoId).where('packages.filename', '=', p.filename).limit(1),
);

// With the project's name the partial index finds the file among the project's files alone;
// by its name only, SQLite walks the index entries of every Python file of the repository.
const selectProjectFileByName = compiledOnce((db, p: { repoId: string; nameKey: string; filename: string }) =>
  liveFiles(db, p.repoId)
    .where('packages.name_key', '=', p.nameKey)
    .where('packages.filename', '=', p.filename)
    .limit(1),
);

/**
 * The file of a repository with this exact file name, if one is live. `nameKey`, the normalised
 * project name the file name gives, makes the lookup cheap; a file kept under another name is
 * still found without it.
 */
export async function findPythonFile(
  src: DbSource,
  repoId: string,
  filename: string,
  nameKey?: string,
): Promise<PythonFileRecord | undefined> {
  const row =
    (nameKey !== undefined
      ? (await selectProjectFileByName(src, { repoId, nameKey, filename })).rows[0]
      : undefined) ?? (await selectFileByName(src, { repoId, filename })).rows[0];
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
