import { PACKAGE_FORMATS, type PackageFormat, type PackageUploadRequest } from '../../api/packages.js';
import { textProblem, type TextKind } from '../../api/text.js';
import { invalidField, ServiceError } from '../domain/errors.js';
import {
  invalidPackage,
  type FormatHandler,
  type PackageMetadata,
  type UploadedFile,
} from './package-metadata.js';
import { npmFormat } from './npm.js';
import { pythonFormat } from './python.js';
import { rawFormat } from './raw.js';

// Which caller-supplied fields are identifiers and which free text, wherever they come from.
const TEXT_FIELDS: [keyof PackageMetadata & keyof PackageUploadRequest, TextKind][] = [
  ['name', 'identifier'],
  ['version', 'identifier'],
  ['summary', 'text'],
  ['description', 'text'],
];

/**
 * A handler whose request fields and file metadata are refused when they hold control or
 * bidirectional formatting characters (src/api/text.ts): the same rule for every format, whether
 * the text came in the request or from inside the package file.
 */
function checkingText(handler: FormatHandler): FormatHandler {
  return {
    format: handler.format,
    checkRequest(body: PackageUploadRequest): void {
      for (const [field, kind] of TEXT_FIELDS) {
        const value = body[field];
        const problem = typeof value === 'string' ? textProblem(value, kind) : null;
        if (problem) throw invalidField(field, problem);
      }
      handler.checkRequest(body);
    },
    async readMetadata(file: UploadedFile, body: PackageUploadRequest): Promise<PackageMetadata> {
      const meta = await handler.readMetadata(file, body);
      const fields: [string, string, TextKind][] = [
        ...TEXT_FIELDS.map(([f, kind]): [string, string, TextKind] => [f, meta[f], kind]),
        ['license', meta.license, 'text'],
        ['versionOrig', meta.versionOrig, 'identifier'],
      ];
      for (const [field, value, kind] of fields) {
        const problem = textProblem(value, kind);
        if (problem) {
          const named = field === 'versionOrig' ? 'version' : field;
          throw invalidPackage(
            handler.format,
            file.filename,
            `has a ${named} that ${problem.replace(/\.$/, '')}`,
          );
        }
      }
      return meta;
    },
  };
}

const HANDLERS: Record<PackageFormat, FormatHandler> = {
  npm: checkingText(npmFormat),
  python: checkingText(pythonFormat),
  raw: checkingText(rawFormat),
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
