import type { PackageFormat, PackageUploadRequest } from '../../api/packages.js';
import { ServiceError } from '../domain/errors.js';
import { ArchiveError, type ArchiveSource } from './archive.js';

/** What a format reader learnt about a package from its file and the create request. */
export interface PackageMetadata {
  name: string;
  /** Normalised version ('' when a raw package has none). */
  version: string;
  /** The version exactly as given. */
  versionOrig: string;
  summary: string;
  description: string;
  /** The license as declared (free text). */
  license: string;
  /** The license when it is a valid SPDX expression, else null. */
  spdxLicense: string | null;
  /** 1 binary, 2 source (docs/packages.md). */
  packageType: 1 | 2;
  /** Format-specific facts kept in the package row's `metadata` (JSON). */
  extra: Record<string, unknown>;
}

/** The uploaded file a reader looks at. */
export interface UploadedFile {
  filename: string;
  source: ArchiveSource;
}

/** One package format: checks its request fields and reads metadata from its files. */
export interface FormatHandler {
  readonly format: PackageFormat;
  /** Checks the request's fields (no file needed); throws `validation_failed` naming the field. */
  checkRequest(body: PackageUploadRequest): void;
  /** Reads the package metadata; throws `invalid_package` saying what is wrong with the file. */
  readMetadata(file: UploadedFile, body: PackageUploadRequest): Promise<PackageMetadata>;
}

/**
 * The key a package name is unique under within a format: lower case, and for python the PEP 503
 * normalisation (runs of `-`, `_` and `.` become one `-`).
 */
export function nameKeyFor(format: string, name: string): string {
  const lower = name.trim().toLowerCase();
  return format === 'python' ? lower.replace(/[-_.]+/g, '-') : lower;
}

/** An `invalid_package` error about an uploaded file, naming the file and the field. */
export function invalidPackage(format: string, filename: string, problem: string): ServiceError {
  const detail = `The ${format} package file '${filename}' ${problem}.`;
  return new ServiceError('invalid_package', detail, { package_file: [detail] });
}

/** Turns an archive failure into `invalid_package`; other errors pass through unchanged. */
export function explainArchiveError(format: string, filename: string, err: unknown): unknown {
  return err instanceof ArchiveError ? invalidPackage(format, filename, err.message) : err;
}
