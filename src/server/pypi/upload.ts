/**
 * Uploads to the native Python index through the legacy upload API that twine and uv speak: a
 * multipart form of metadata fields and a `content` file. Each file becomes a `python` package
 * in one step (publishFile: its bytes stream into the blob store, then the rows an upload through
 * the packages API and its package create write are committed together), so scans, policies,
 * webhooks and the audit log see no difference. Every refusal is a 400 (as PyPI answers), and nothing is kept after one.
 */

import type { Readable } from 'node:stream';
import { filenameDisagreement } from '../formats/python.js';
import type { PackageMetadata } from '../formats/index.js';
import { findPythonFile } from '../store/python-index.js';
import { requirePrincipal, type Actor } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import { publishFile, type Published } from '../domain/publish.js';
import { resolveRepo, type RepoAccess } from '../domain/repos.js';
import { normalizeProjectName } from './index.js';

/** The one `:action` of the legacy API this index takes. */
export const FILE_UPLOAD_ACTION = 'file_upload';

/** The form fields of an upload that the index reads (the last value of each). */
export type UploadFields = ReadonlyMap<string, string>;

/** A 400 `upload_refused` naming the field at fault. */
export function refused(field: string, message: string): ServiceError {
  return new ServiceError('upload_refused', message, { [field]: [message] });
}

// Refusals of the file or its fields that other paths answer with other codes: here all are 400s.
const REFUSAL_CODES = new Set(['validation_failed', 'invalid_package', 'checksum_mismatch']);

// The packages API's names of the declared checksums, and the upload form's.
const FORM_NAMES: [string, string][] = [
  ['sha256_checksum', 'sha256_digest'],
  ['md5_checksum', 'md5_digest'],
  ['package_file', 'content'],
];

function asRefusal(err: unknown): unknown {
  if (!(err instanceof ServiceError) || !REFUSAL_CODES.has(err.code)) return err;
  let detail = err.message;
  const fields: Record<string, string[]> = { ...err.fields };
  for (const [api, form] of FORM_NAMES) {
    detail = detail.split(api).join(form);
    if (fields[api]) {
      fields[form] = fields[api];
      delete fields[api];
    }
  }
  return new ServiceError('upload_refused', detail, fields);
}

/**
 * Checks the fields that come before the file: `:action` must be `file_upload` (the legacy API's
 * other actions, such as `submit`, are not served), `protocol_version` 1 when sent, and the
 * digests hexadecimal of the right length. Returns the declared digests.
 */
export function checkUploadFields(fields: UploadFields): { sha256: string | null; md5: string | null } {
  const action = fields.get(':action');
  if (action !== FILE_UPLOAD_ACTION) {
    throw refused(
      ':action',
      action === undefined
        ? `The form has no ':action' field; an upload sends ':action=${FILE_UPLOAD_ACTION}'.`
        : `Unknown :action '${action.slice(0, 40)}': this index takes '${FILE_UPLOAD_ACTION}' only.`,
    );
  }
  const protocol = fields.get('protocol_version');
  if (protocol !== undefined && protocol !== '1') {
    throw refused(
      'protocol_version',
      `Unknown protocol_version '${protocol.slice(0, 20)}': this index speaks 1.`,
    );
  }
  const digest = (field: string, length: number): string | null => {
    const value = fields.get(field)?.trim();
    if (!value) return null;
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value)) {
      throw refused(field, `${field} must be ${length} hexadecimal digits.`);
    }
    return value.toLowerCase();
  };
  return { sha256: digest('sha256_digest', 64), md5: digest('md5_digest', 32) };
}

/** The repository an upload goes to: Write needed, and a principal (never anonymous). */
export async function uploadRepo(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  repo: string,
): Promise<RepoAccess> {
  const access = await resolveRepo(ctx, actor, owner, repo, 'Write');
  requirePrincipal(actor);
  return access;
}

function fileExists(filename: string, repo: RepoAccess): ServiceError {
  return new ServiceError(
    'file_exists',
    `File already exists: ${repo.org.slug}/${repo.repo.slug} already holds '${filename}'. ` +
      'Upload a new version, or pass --skip-existing to twine.',
    { content: ['File already exists.'] },
  );
}

/**
 * Refuses a file whose name and core metadata disagree, or whose form `name`/`version` fields
 * disagree with the metadata (an installer trusts the file name; the metadata is what it installs).
 */
function metadataCheck(fields: UploadFields) {
  return (meta: PackageMetadata, filename: string): void => {
    const problem = filenameDisagreement(filename, meta);
    if (problem) throw refused('content', problem);
    const name = fields.get('name');
    if (name !== undefined && normalizeProjectName(name) !== normalizeProjectName(meta.name)) {
      throw refused('name', `The form says name '${name}', but the file's metadata says '${meta.name}'.`);
    }
    const version = fields.get('version');
    if (version !== undefined && version !== meta.version && version !== meta.versionOrig) {
      throw refused(
        'version',
        `The form says version '${version}', but the file's metadata says '${meta.versionOrig}'.`,
      );
    }
  };
}

/** One file of an upload as the route hands it over: the fields so far and the file's stream. */
export interface DistributionUpload {
  owner: string;
  repo: string;
  /** The repository, when the caller resolved it already (Write checked, a principal present). */
  access?: RepoAccess;
  fields: UploadFields;
  filename: string;
  body: Readable;
}

/**
 * Stores one distribution file: checks the fields, refuses a file name the repository already
 * holds (`file_exists`), streams the bytes into the blob store checking the declared digests and
 * the upload limit (413), then creates the package, refusing one whose name and metadata disagree.
 * On any failure no package exists.
 */
export async function uploadDistribution(
  ctx: ServiceContext,
  actor: Actor,
  upload: DistributionUpload,
): Promise<Published> {
  const access = upload.access ?? (await uploadRepo(ctx, actor, upload.owner, upload.repo));
  const declared = checkUploadFields(upload.fields);
  if (await findPythonFile(ctx, access.repo.id, upload.filename)) throw fileExists(upload.filename, access);
  try {
    return await publishFile(ctx, actor, {
      access,
      format: 'python',
      filename: upload.filename,
      body: upload.body,
      declared,
      request: { package_file: '' },
      checkMetadata: metadataCheck(upload.fields),
    });
  } catch (err) {
    // Two uploads of one file racing past the check above: the unique index decided.
    if (err instanceof ServiceError && err.code === 'duplicate_package')
      throw fileExists(upload.filename, access);
    throw asRefusal(err);
  }
}
