import { PACKAGE_FORMATS, type PackageFormat } from '../../api/packages.js';
import { ServiceError } from '../domain/errors.js';
import type { FormatHandler } from './package-metadata.js';
import { npmFormat } from './npm.js';
import { pythonFormat } from './python.js';
import { rawFormat } from './raw.js';

const HANDLERS: Record<PackageFormat, FormatHandler> = {
  npm: npmFormat,
  python: pythonFormat,
  raw: rawFormat,
};

/** The handler of a format; `unsupported_format` naming the accepted ones when there is none. */
export function formatHandler(format: string): FormatHandler {
  const handler = (HANDLERS as Record<string, FormatHandler | undefined>)[format.toLowerCase()];
  if (!handler) {
    throw new ServiceError(
      'unsupported_format',
      `Unsupported package format '${format}': this service accepts ${PACKAGE_FORMATS.join(', ')}.`,
    );
  }
  return handler;
}

export {
  explainArchiveError,
  invalidPackage,
  nameKeyFor,
  type FormatHandler,
  type PackageMetadata,
  type UploadedFile,
} from './package-metadata.js';
