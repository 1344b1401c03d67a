import { bufferArchiveSource } from '../../../src/server/formats/archive.js';
import { formatHandler, nameKeyFor } from '../../../src/server/formats/index.js';
import { parseCoreMetadata } from '../../../src/server/formats/python.js';
import {
  coreMetadata,
  makeTar,
  makeZip,
  projectHeaders,
  sdist,
  wheel,
} from '../../fixtures/packages/archives.js';

const python = formatHandler('python');

function read(bytes: Buffer, filename: string) {
  return python.readMetadata({ filename, source: bufferArchiveSource(bytes) }, { package_file: 'id' });
}

describe('the python metadata reader', () => {
  it('reads a wheel: Name, normalised Version, Summary, License-Expression and the description body', async () => {
    const text = coreMetadata(
      projectHeaders('Demo_Pkg', '1.0.0-RC1', [
        ['License-Expression', 'Apache-2.0'],
        ['Requires-Python', '>=3.9'],
        ['Requires-Dist', 'requests>=2'],
      ]),
      '# Demo\n\nLong description.',
    );
    const meta = await read(await wheel('demo_pkg', '1.0.0rc1', text), 'demo_pkg-1.0.0rc1-py3-none-any.whl');
    expect(meta).toMatchObject({
      name: 'Demo_Pkg',
      version: '1.0.0rc1',
      versionOrig: '1.0.0-RC1',
      summary: 'The Demo_Pkg project',
      description: '# Demo\n\nLong description.',
      license: 'Apache-2.0',
      spdxLicense: 'Apache-2.0',
      packageType: 1,
      extra: { distribution: 'wheel', requires_python: '>=3.9', requires_dist: ['requests>=2'] },
    });
  });

  it('reads an sdist tarball from its top-level PKG-INFO, with a License field', async () => {
    const text = coreMetadata(projectHeaders('tool', '2.1', [['License', 'MIT']]));
    const meta = await read(await sdist('tool', '2.1', text), 'tool-2.1.tar.gz');
    expect(meta).toMatchObject({
      name: 'tool',
      version: '2.1',
      license: 'MIT',
      spdxLicense: 'MIT',
      packageType: 2,
    });
  });

  it('reads a zip sdist and falls back to the license classifier', async () => {
    const text = coreMetadata(
      projectHeaders('zipped', '0.3', [['Classifier', 'License :: OSI Approved :: BSD License']]),
    );
    const bytes = await makeZip([{ name: 'zipped-0.3/PKG-INFO', content: text }]);
    const meta = await read(bytes, 'zipped-0.3.zip');
    expect(meta).toMatchObject({ name: 'zipped', license: 'BSD License', spdxLicense: null, packageType: 2 });
  });

  it('normalises names the PEP 503 way for uniqueness', () => {
    expect(nameKeyFor('python', 'Foo.Bar__baz-Qux')).toBe('foo-bar-baz-qux');
  });

  it('joins continuation lines of a header', () => {
    const meta = parseCoreMetadata('Name: x\nLicense: line one\n        line two\nVersion: 1\n\nbody');
    expect(meta.headers.get('license')).toEqual(['line one\nline two']);
    expect(meta.headers.get('version')).toEqual(['1']);
    expect(meta.body).toBe('body');
  });

  it.each([
    [
      'a wheel without METADATA',
      () => makeZip([{ name: 'x/__init__.py', content: '' }]),
      'x-1.0-py3-none-any.whl',
      /has no \*\.dist-info\/METADATA/,
    ],
    [
      'a wheel that is a tarball',
      () => makeTar([{ name: 'x.dist-info/METADATA', content: 'Name: x' }]),
      'x-1.0-py3-none-any.whl',
      /is not a zip archive/,
    ],
    [
      'an sdist that is not an archive',
      async () => Buffer.from('definitely not gzip data here'),
      'x-1.0.tar.gz',
      /is not a gzip-compressed tar archive/,
    ],
    [
      'an unknown file type',
      async () => Buffer.from('x'),
      'x-1.0.exe',
      /neither a wheel \(\.whl\) nor an sdist/,
    ],
    [
      'METADATA without a Version',
      () => wheel('x', '1.0', coreMetadata([['Name', 'x']])),
      'x-1.0-py3-none-any.whl',
      /has no Version in its METADATA/,
    ],
    [
      'PKG-INFO without a Name',
      () => sdist('x', '1.0', coreMetadata([['Version', '1.0']])),
      'x-1.0.tar.gz',
      /has no Name in its PKG-INFO/,
    ],
    [
      'a Version that is not PEP 440',
      () => wheel('x', '1.0', coreMetadata(projectHeaders('x', 'one point oh'))),
      'x-1.0-py3-none-any.whl',
      /not a valid PEP 440 version/,
    ],
  ])('refuses %s as invalid_package saying what is wrong', async (_case, make, filename, message) => {
    await expect(read(await make(), filename)).rejects.toMatchObject({
      code: 'invalid_package',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a truncated wheel as invalid_package', async () => {
    const whole = await wheel('x', '1.0', coreMetadata(projectHeaders('x', '1.0')));
    await expect(read(whole.subarray(0, whole.length - 40), 'x-1.0-py3-none-any.whl')).rejects.toMatchObject({
      code: 'invalid_package',
      message: expect.stringMatching(/truncated/),
    });
  });
});
