import { randomBytes } from 'node:crypto';
import { componentsOf, makeTar, makeTgz, makeZip, renameInArchive, Workspace } from './archives.js';

const LOCK = JSON.stringify({
  lockfileVersion: 3,
  packages: { '': {}, 'node_modules/ms': { version: '2.1.3' } },
});
const MiB = 1024 * 1024;

/** Wraps `inner` in `levels` zips, each holding the previous one as `inner.zip`. */
async function nestZips(inner: Buffer, levels: number): Promise<Buffer> {
  let bytes = inner;
  for (let level = 0; level < levels; level += 1)
    bytes = await makeZip([{ name: 'inner.zip', content: bytes }]);
  return bytes;
}

/** Overwrites the uncompressed size every central-directory record declares. */
function declareUncompressedSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = out.indexOf(signature); at >= 0; at = out.indexOf(signature, at + 4))
    out.writeUInt32LE(size, at + 24);
  return out;
}

describe('extracting hostile archives', () => {
  const work = new Workspace();
  afterAll(() => work.cleanup());

  const expectFailure = async (
    name: string,
    bytes: Buffer,
    reason: RegExp,
    limits?: Parameters<Workspace['extract']>[3],
  ): Promise<void> => {
    const result = await work.extract(name, bytes, 'raw', limits);
    expect(result).toEqual({ status: 'failed', reason: expect.stringMatching(reason) });
  };

  it('stops a zip bomb by its inflate ratio under the default limits', async () => {
    const zip = await makeZip([{ name: 'requirements.txt', content: Buffer.alloc(16 * MiB) }]);
    expect(zip.length).toBeLessThan(64 * 1024);
    await expectFailure(
      'bomb.zip',
      zip,
      /bomb\.zip!requirements\.txt: inflates more than 200 times.*maxRatio/,
    );
  });

  it('stops a gzip bomb in a tar.gz, even in an entry it would otherwise skip', async () => {
    const tgz = await makeTgz([{ name: 'zeros.bin', content: Buffer.alloc(16 * MiB) }]);
    await expectFailure('bomb.tar.gz', tgz, /^bomb\.tar\.gz: inflates more than 200 times.*maxRatio/);
  });

  it('stops at the total of uncompressed bytes across entries that each look harmless', async () => {
    const entries = [1, 2, 3, 4].map((n) => ({
      name: `requirements-${n}.txt`,
      content: randomBytes(200 * 1024).toString('hex'),
    }));
    await expectFailure(
      'many.zip',
      await makeZip(entries),
      /more than 1048576 uncompressed bytes.*maxTotalBytes/,
      {
        maxTotalBytes: MiB,
      },
    );
  });

  it('counts the bytes it inflates, not the size a zip header declares', async () => {
    const honest = await makeZip([{ name: 'requirements.txt', content: Buffer.alloc(4 * MiB, 'a') }]);
    const lying = declareUncompressedSize(honest, 100);
    await expectFailure('liar.zip', lying, /^liar\.zip: /);
  });

  it('refuses a symbolic link in a tar archive', async () => {
    const tar = await makeTar([
      { name: 'package/package.json', content: '{}' },
      { name: 'package/link', type: 'symlink', linkname: '/etc/passwd' },
    ]);
    await expectFailure('link.tar', tar, /entry "package\/link" is a symbolic link/);
  });

  it('refuses a hard link in a tar archive', async () => {
    const tgz = await makeTgz([
      { name: 'a/requirements.txt', content: 'six==1.16.0\n' },
      { name: 'a/hard', type: 'link', linkname: 'a/requirements.txt' },
    ]);
    await expectFailure('hard.tgz', tgz, /entry "a\/hard" is a hard link/);
  });

  it('refuses a symbolic link in a zip archive', async () => {
    const zip = await makeZip([{ name: 'app/lock', content: '/etc/passwd', mode: 0o120777 }]);
    await expectFailure('link.zip', zip, /entry "app\/lock" is a symbolic link/);
  });

  it('refuses a tar entry that climbs out with ..', async () => {
    const tgz = await makeTgz([{ name: 'package/../../evil/package-lock.json', content: LOCK }]);
    await expectFailure('climb.tgz', tgz, /"package\/\.\.\/\.\.\/evil\/package-lock\.json" climbs out/);
  });

  it('refuses a zip entry that climbs out with ..', async () => {
    const zip = renameInArchive(
      await makeZip([{ name: 'xx/package-lock.json', content: LOCK }]),
      'xx/',
      '../',
    );
    await expectFailure('climb.zip', zip, /^climb\.zip: entry "\.\.\/package-lock\.json" climbs out/);
  });

  it('refuses a tar entry with an absolute path', async () => {
    const tar = await makeTar([{ name: '/etc/cron.d/requirements.txt', content: 'six==1.16.0\n' }]);
    await expectFailure('abs.tar', tar, /entry "\/etc\/cron\.d\/requirements\.txt" has an absolute path/);
  });

  it('refuses a zip entry with an absolute path', async () => {
    const zip = renameInArchive(
      await makeZip([{ name: 'Xetc/requirements.txt', content: 'a==1\n' }]),
      'Xetc/',
      '/etc/',
    );
    await expectFailure('abs.zip', zip, /^abs\.zip: entry "\/etc\/requirements\.txt" has an absolute path/);
  });

  it('refuses archives nested deeper than the limit', async () => {
    const deep = await nestZips(await makeZip([{ name: 'package-lock.json', content: LOCK }]), 6);
    await expectFailure(
      'deep.zip',
      deep,
      /deep\.zip!inner\.zip!inner\.zip!inner\.zip: .*nested more than 3 deep/,
      {
        maxDepth: 3,
      },
    );
  });

  it('still reads a lockfile nested within the depth limit', async () => {
    const nested = await nestZips(await makeTgz([{ name: 'package-lock.json', content: LOCK }]), 0);
    const zip = await makeZip([{ name: 'dist/app.tgz', content: nested }]);
    const outer = await makeZip([{ name: 'bundle.zip', content: zip }]);
    expect(componentsOf(await work.extract('release.zip', outer, 'raw', { maxDepth: 3 }))).toEqual([
      {
        ecosystem: 'npm',
        name: 'ms',
        version: '2.1.3',
        location: 'release.zip!bundle.zip!dist/app.tgz!package-lock.json',
        direct: false,
      },
    ]);
  });

  it('refuses a zip that declares more entries than allowed, before reading them', async () => {
    const entries = Array.from({ length: 50 }, (_, n) => ({ name: `f${n}.txt`, content: 'x' }));
    await expectFailure('crowd.zip', await makeZip(entries), /declares 50 entries.*maxEntries/, {
      maxEntries: 20,
    });
  });

  it('refuses a tar with more entries than allowed', async () => {
    const entries = Array.from({ length: 50 }, (_, n) => ({ name: `f${n}.txt`, content: 'x' }));
    await expectFailure('crowd.tgz', await makeTgz(entries), /more than 20 archive entries.*maxEntries/, {
      maxEntries: 20,
    });
  });

  it('fails a truncated tar.gz', async () => {
    const tgz = await makeTgz([
      { name: 'package/package.json', content: JSON.stringify({ name: 'a', version: '1.0.0' }) },
      { name: 'package/data.bin', content: randomBytes(64 * 1024) },
    ]);
    await expectFailure(
      'cut.tgz',
      tgz.subarray(0, Math.floor(tgz.length / 2)),
      /^cut\.tgz: corrupt or truncated/,
    );
  });

  it('fails a truncated zip', async () => {
    const zip = await makeZip([{ name: 'package-lock.json', content: LOCK }]);
    await expectFailure('cut.zip', zip.subarray(0, zip.length - 10), /^cut\.zip: corrupt or truncated zip/);
  });

  it('fails a zip whose compressed data is garbage', async () => {
    const zip = await makeZip([{ name: 'requirements.txt', content: randomBytes(4096).toString('base64') }]);
    // The entry's deflate stream starts right after the 30-byte local header and its name.
    const corrupt = Buffer.from(zip);
    corrupt.fill(0xff, 30 + 'requirements.txt'.length, 30 + 'requirements.txt'.length + 64);
    await expectFailure('garbage.zip', corrupt, /^garbage\.zip: corrupt or truncated zip/);
  });

  it('fails a file named like an archive whose bytes are not one', async () => {
    await expectFailure('fake.zip', randomBytes(2048), /^fake\.zip: named like a zip archive/);
  });

  it('fails a truncated tar.gz nested inside a zip, naming where it was', async () => {
    const tgz = await makeTgz([
      { name: 'package-lock.json', content: randomBytes(32 * 1024).toString('hex') },
    ]);
    const zip = await makeZip([{ name: 'libs/app.tgz', content: tgz.subarray(0, tgz.length - 100) }]);
    await expectFailure('outer.zip', zip, /^outer\.zip!libs\/app\.tgz: corrupt or truncated tgz/);
  });

  it('refuses a manifest larger than the per-entry limit, inside an archive or on its own', async () => {
    const big = `six==1.16.0\n${'#'.repeat(300 * 1024)}\n`;
    const limits = { maxEntryBytes: 256 * 1024 };
    await expectFailure(
      'big.tgz',
      await makeTgz([{ name: 'requirements.txt', content: big }]),
      /maxEntryBytes/,
      limits,
    );
    await expectFailure('requirements.txt', Buffer.from(big), /^requirements\.txt: .*maxEntryBytes/, limits);
  });

  it('fails a YAML lockfile that multiplies aliases (billion laughs)', async () => {
    const lines = ['lockfileVersion: 5.4', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let n = 0; n < 8; n += 1) {
      const prev = String.fromCharCode(97 + n);
      const next = String.fromCharCode(98 + n);
      lines.push(`${next}: &${next} [${Array.from({ length: 10 }, () => `*${prev}`).join(',')}]`);
    }
    lines.push('packages: *i');
    await expectFailure('pnpm-lock.yaml', Buffer.from(lines.join('\n')), /^pnpm-lock\.yaml: not valid YAML/);
  });
});
