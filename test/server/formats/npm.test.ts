import crypto from 'node:crypto';
import { bufferArchiveSource } from '../../../src/server/formats/archive.js';
import { formatHandler, nameKeyFor } from '../../../src/server/formats/index.js';
import { makeTar, makeZip, npmTarball } from '../../fixtures/packages/archives.js';

const npm = formatHandler('npm');

function read(bytes: Buffer, body: Record<string, unknown> = {}, filename = 'pkg-1.0.0.tgz') {
  return npm.readMetadata(
    { filename, source: bufferArchiveSource(bytes) },
    { package_file: 'upload-id', ...body },
  );
}

describe('the npm metadata reader', () => {
  it('reads name, version, description and license from package/package.json', async () => {
    const meta = await read(
      await npmTarball({
        name: '@acme/left-pad',
        version: 'v1.2.3',
        description: 'Pads strings.\nOn the left.',
        license: 'MIT OR Apache-2.0',
        dependencies: { lodash: '^4.17.0' },
      }),
      { npm_dist_tag: 'beta' },
    );
    expect(meta).toMatchObject({
      name: '@acme/left-pad',
      version: '1.2.3',
      versionOrig: 'v1.2.3',
      summary: 'Pads strings.',
      description: 'Pads strings.\nOn the left.',
      license: 'MIT OR Apache-2.0',
      spdxLicense: 'MIT OR Apache-2.0',
      packageType: 1,
      extra: { npm_dist_tag: 'beta', dependencies: { lodash: '^4.17.0' } },
    });
  });

  it('keeps the manifest fields a packument serves and the tarball integrity, leaving the rest out', async () => {
    const bytes = await npmTarball({
      name: 'tool',
      version: '1.0.0',
      bin: { tool: 'cli.js' },
      engines: { node: '>=20' },
      readme: 'long text',
      _private: true,
    });
    const meta = await read(bytes);
    expect(meta.extra.npm_manifest).toEqual({
      name: 'tool',
      version: '1.0.0',
      bin: { tool: 'cli.js' },
      engines: { node: '>=20' },
    });
    expect(meta.extra.npm_integrity).toBe(
      `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`,
    );
  });

  it('defaults the dist-tag to latest and keeps a license that is not SPDX without calling it SPDX', async () => {
    const meta = await read(
      await npmTarball({ name: 'x', version: '0.1.0', license: 'SEE LICENSE IN LICENSE.txt' }),
    );
    expect(meta.extra.npm_dist_tag).toBe('latest');
    expect(meta.license).toBe('SEE LICENSE IN LICENSE.txt');
    expect(meta.spdxLicense).toBeNull();
  });

  it('accepts a tarball whose top directory is not called package', async () => {
    const meta = await read(await npmTarball({ name: 'other-root', version: '2.0.0' }, 'other-root'));
    expect(meta.name).toBe('other-root');
  });

  it('folds the name key to lower case', () => {
    expect(nameKeyFor('npm', 'JSONStream')).toBe('jsonstream');
  });

  it.each([
    ['malformed JSON', async () => npmTarball('{"name": "x", "version": '), /not valid JSON/],
    ['no version', async () => npmTarball({ name: 'x' }), /no "version"/],
    ['no name', async () => npmTarball({ version: '1.0.0' }), /no "name"/],
    [
      'a version that is not SemVer',
      async () => npmTarball({ name: 'x', version: '1.0' }),
      /not valid SemVer/,
    ],
    [
      'an invalid name',
      async () => npmTarball({ name: 'has space', version: '1.0.0' }),
      /not a valid npm package name/,
    ],
    ['a JSON array manifest', async () => npmTarball('[1, 2]'), /not a JSON object/],
    [
      'no package.json',
      async () => makeTar([{ name: 'package/index.js', content: '' }]),
      /has no package\/package\.json/,
    ],
    [
      'a zip instead of a tarball',
      async () => makeZip([{ name: 'package/package.json', content: '{}' }]),
      /not a gzip-compressed tar/,
    ],
    ['plain text', async () => Buffer.from('this is not an npm package at all'), /not a gzip-compressed tar/],
  ])('refuses a tarball with %s as invalid_package saying what is wrong', async (_case, make, message) => {
    await expect(read(await make())).rejects.toMatchObject({
      code: 'invalid_package',
      message: expect.stringMatching(message),
      fields: { package_file: [expect.stringMatching(message)] },
    });
  });

  it('refuses a truncated tarball as invalid_package', async () => {
    const whole = await makeTar([
      { name: 'package/package.json', content: JSON.stringify({ name: 'x', version: '1.0.0' }) },
      {
        name: 'package/blob.bin',
        content: Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)),
      },
    ]);
    await expect(read(whole.subarray(0, whole.length - 200))).rejects.toMatchObject({
      code: 'invalid_package',
      message: expect.stringMatching(/truncated/),
    });
  });

  it.each(['1.0.0', '^2', 'has space'])('refuses the dist-tag %p with validation_failed', (tag) => {
    expect(() => npm.checkRequest({ package_file: 'x', npm_dist_tag: tag })).toThrow(
      expect.objectContaining({ code: 'validation_failed', fields: { npm_dist_tag: [expect.any(String)] } }),
    );
  });
});
