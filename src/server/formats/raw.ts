import type { PackageUploadRequest } from '../../api/packages.js';
import { invalidField } from '../domain/errors.js';
import type { FormatHandler, PackageMetadata, UploadedFile } from './package-metadata.js';

const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:\s*;.*)?$/;

/**
 * Raw files: any bytes. The name (default: the file name), version, summary, description and
 * content type come from the request; the file itself is not read.
 */
export const rawFormat: FormatHandler = {
  format: 'raw',

  checkRequest(body: PackageUploadRequest): void {
    if (body.name !== undefined && body.name.trim() === '') {
      throw invalidField('name', 'Must not be blank; leave it out to use the file name.');
    }
    if (body.version !== undefined && /\s/.test(body.version.trim())) {
      throw invalidField('version', `'${body.version}' must not contain whitespace.`);
    }
    if (body.content_type !== undefined && !MIME_TYPE.test(body.content_type)) {
      throw invalidField('content_type', `'${body.content_type}' is not a MIME type such as text/plain.`);
    }
  },

  async readMetadata(file: UploadedFile, body: PackageUploadRequest): Promise<PackageMetadata> {
    const version = body.version?.trim() ?? '';
    return {
      name: body.name?.trim() || file.filename,
      version,
      versionOrig: body.version ?? '',
      summary: body.summary ?? '',
      description: body.description ?? '',
      license: '',
      spdxLicense: null,
      packageType: 1,
      extra: body.content_type ? { content_type: body.content_type } : {},
    };
  },
};
