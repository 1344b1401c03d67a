import { bufferArchiveSource } from '../../../src/server/formats/archive.js';
import { formatHandler } from '../../../src/server/formats/index.js';

const raw = formatHandler('RAW');

describe('the raw format', () => {
  it('takes its metadata from the request and never needs the bytes to be an archive', async () => {
    const meta = await raw.readMetadata(
      { filename: 'tool.bin', source: bufferArchiveSource(Buffer.from('anything')) },
      {
        package_file: 'id',
        name: 'tool',
        version: '1.0',
        summary: 's',
        description: 'd',
        content_type: 'text/plain',
      },
    );
    expect(meta).toMatchObject({
      name: 'tool',
      version: '1.0',
      summary: 's',
      description: 'd',
      license: '',
      extra: { content_type: 'text/plain' },
    });
  });

  it('names the package after the file when no name is given', async () => {
    const meta = await raw.readMetadata(
      { filename: 'notes.txt', source: bufferArchiveSource(Buffer.alloc(0)) },
      { package_file: 'id' },
    );
    expect(meta).toMatchObject({ name: 'notes.txt', version: '' });
  });

  it.each([
    [{ name: '  ' }, 'name'],
    [{ version: '1 0' }, 'version'],
    [{ content_type: 'not a mime type' }, 'content_type'],
  ])('refuses %p naming the field %s', (fields, field) => {
    expect(() => raw.checkRequest({ package_file: 'id', ...fields })).toThrow(
      expect.objectContaining({ code: 'validation_failed', fields: { [field]: [expect.any(String)] } }),
    );
  });

  it('refuses an unknown format with unsupported_format naming the accepted ones', () => {
    expect(() => formatHandler('maven')).toThrow(
      expect.objectContaining({
        code: 'unsupported_format',
        message: expect.stringMatching(/npm, python, raw/),
      }),
    );
  });
});
