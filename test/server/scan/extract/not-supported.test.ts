import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractComponents } from '../../../../src/server/scan/extract/index.js';
import { componentsOf, makeTgz, makeZip, Workspace } from './archives.js';

describe('extracting what the scanner does not understand', () => {
  const work = new Workspace();
  afterAll(() => work.cleanup());

  it('does not support a random binary', async () => {
    const result = await work.extract('firmware.bin', randomBytes(8192));
    expect(result).toEqual({
      status: 'not_supported',
      reason: expect.stringMatching(/^firmware\.bin: not an archive/),
    });
  });

  it('does not support a text file that is no known manifest', async () => {
    const result = await work.extract('NOTES.txt', 'django==4.2.7 is what we run in production\n');
    expect(result.status).toBe('not_supported');
  });

  it('does not support JSON that is neither a lockfile nor an SBOM', async () => {
    const result = await work.extract('config.json', JSON.stringify({ lockfile: true, packages: [] }));
    expect(result.status).toBe('not_supported');
  });

  it('does not support gzip-compressed text that is no tar archive', async () => {
    const result = await work.extract('notes.gz', gzipSync('just some notes\n'));
    expect(result.status).toBe('not_supported');
  });

  it('does not support an archive that holds only source files and an unpinned manifest', async () => {
    const zip = await makeZip([
      { name: 'src/index.js', content: 'export {};\n' },
      { name: 'package.json', content: JSON.stringify({ name: 'x', dependencies: { ms: '^2' } }) },
      { name: 'README.md', content: '# x\n' },
    ]);
    const result = await work.extract('source.zip', zip);
    expect(result).toEqual({
      status: 'not_supported',
      reason: 'source.zip: holds no package metadata, lockfile, requirements file or SBOM.',
    });
  });

  it('does not count a raw tarball root package.json as the package itself', async () => {
    const tgz = await makeTgz([
      { name: 'package/package.json', content: JSON.stringify({ name: 'x', version: '1.0.0' }) },
    ]);
    expect((await work.extract('x.tgz', tgz, 'raw')).status).toBe('not_supported');
    expect(componentsOf(await work.extract('x.tgz', tgz, 'npm'))).toHaveLength(1);
  });

  it('supports a lockfile with no dependencies, answering with no components', async () => {
    const lock = JSON.stringify({ name: 'empty', lockfileVersion: 3, packages: { '': { name: 'empty' } } });
    expect(await work.extract('package-lock.json', lock)).toEqual({ status: 'ok', components: [] });
  });

  it('recognises a lockfile by its content under an unusual name', async () => {
    const lock = JSON.stringify({
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/ms': { version: '2.1.3' } },
    });
    expect(componentsOf(await work.extract('app.lock.json', lock))).toEqual([
      { ecosystem: 'npm', name: 'ms', version: '2.1.3', location: 'app.lock.json', direct: false },
    ]);
  });

  it('fails, without throwing, when the artifact file cannot be read', async () => {
    const missing = path.join(path.dirname(await work.write('x', 'x')), 'no-such-file.tgz');
    const result = await extractComponents({ path: missing, filename: 'no-such-file.tgz', format: 'npm' });
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/^no-such-file\.tgz: could not be read/),
    });
  });
});
