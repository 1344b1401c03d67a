import crypto from 'node:crypto';
import fs from 'node:fs';
import { detectFormat, type DetectedFormat } from '../../src/steps/detect-format.js';
import {
  coreMetadata,
  makeTar,
  makeZip,
  npmTarball,
  projectHeaders,
  sdist,
  wheel,
} from '../fixtures/packages/archives.js';
import { tempDir } from '../helpers/server.js';
import { writeFile } from './step-helpers.js';

const metadata = coreMetadata(projectHeaders('demo', '1.0'));

const CASES: Array<[string, string, DetectedFormat, () => Promise<Buffer>]> = [
  ['an npm tarball', 'app-1.0.0.tgz', 'npm', () => npmTarball({ name: 'app', version: '1.0.0' })],
  [
    'an npm tarball named .tar.gz',
    'app-1.0.0.tar.gz',
    'npm',
    () => npmTarball({ name: 'app', version: '1.0.0' }),
  ],
  [
    'an npm tarball whose package.json is not the first entry',
    'late.tgz',
    'npm',
    () =>
      makeTar([
        { name: 'package/README.md', content: '# late\n' },
        { name: 'package/package.json', content: '{"name":"late","version":"1.0.0"}' },
      ]),
  ],
  ['a wheel', 'demo-1.0-py3-none-any.whl', 'python', () => wheel('demo', '1.0', metadata)],
  ['an sdist', 'demo-1.0.tar.gz', 'python', () => sdist('demo', '1.0', metadata)],
  [
    'a zip sdist',
    'demo-1.0.zip',
    'python',
    () => makeZip([{ name: 'demo-1.0/PKG-INFO', content: metadata }]),
  ],
  [
    'a zip that is not an sdist',
    'site.zip',
    'raw',
    () => makeZip([{ name: 'index.html', content: '<p>hi</p>' }]),
  ],
  [
    'a tarball with neither package.json nor PKG-INFO',
    'logs.tar.gz',
    'raw',
    () => makeTar([{ name: 'logs/today.txt', content: 'quiet day' }]),
  ],
  [
    'a tarball with a PKG-INFO deeper than the top folder',
    'deep.tar.gz',
    'raw',
    () => makeTar([{ name: 'a/b/PKG-INFO', content: metadata }]),
  ],
  ['a .tgz that is not gzip at all', 'broken.tgz', 'raw', async () => crypto.randomBytes(2048)],
  ['a binary', 'firmware.bin', 'raw', async () => crypto.randomBytes(1024)],
];

describe('detecting the format of a file to push', () => {
  const dir = tempDir('airlock-detect-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(CASES)('reads %s (%s) as %s', async (_what, name, format, build) => {
    const file = writeFile(dir, name, await build());
    await expect(detectFormat(file)).resolves.toMatchObject({ format });
  });
});
