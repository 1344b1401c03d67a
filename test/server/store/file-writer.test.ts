import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TooLargeError } from '../../../src/server/store/blobs.js';
import { createDigester } from '../../../src/server/store/digest.js';
import { writeFileFrom } from '../../../src/server/store/file-writer.js';
import { tempDir } from '../../helpers/server.js';

const MiB = 1024 * 1024;
const hex = (algorithm: string, bytes: Buffer) => crypto.createHash(algorithm).update(bytes).digest('hex');

/** Streams `bytes` in 64 KiB chunks, as a network body arrives. */
function body(bytes: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
    })(),
  );
}

describe('writeFileFrom', () => {
  it('writes every byte in order and hashes them, past the background sync interval', async () => {
    // 40 MiB: more than one background sync (every 32 MiB) and many batched writes.
    const bytes = crypto.randomBytes(40 * MiB + 123);
    const file = path.join(tempDir(), 'blob');
    const digester = createDigester();
    await expect(writeFileFrom(body(bytes), file, 50 * MiB, digester)).resolves.toEqual({
      size: bytes.length,
    });
    expect(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(
      hex('sha256', bytes),
    );
    await expect(digester.finish()).resolves.toEqual({
      sha256: hex('sha256', bytes),
      md5: hex('md5', bytes),
      sha1: hex('sha1', bytes),
      size: bytes.length,
    });
  });

  it('writes an empty body as an empty file', async () => {
    const file = path.join(tempDir(), 'empty');
    await expect(writeFileFrom(body(Buffer.alloc(0)), file, 10)).resolves.toEqual({ size: 0 });
    expect(fs.statSync(file).size).toBe(0);
  });

  it('refuses a body past the limit and removes what it wrote', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big');
    await expect(
      writeFileFrom(body(crypto.randomBytes(3 * MiB)), file, 2 * MiB, createDigester()),
    ).rejects.toThrow(TooLargeError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('removes the file when the body fails midway', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'cut');
    const failing = Readable.from(
      (async function* () {
        yield crypto.randomBytes(2 * MiB);
        throw new Error('the client went away');
      })(),
    );
    await expect(writeFileFrom(failing, file, 10 * MiB, createDigester())).rejects.toThrow(/went away/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('never replaces an existing file', async () => {
    const file = path.join(tempDir(), 'taken');
    fs.writeFileSync(file, 'kept');
    await expect(writeFileFrom(body(Buffer.from('new')), file, 10)).rejects.toThrow(/EEXIST/);
    expect(fs.readFileSync(file, 'utf8')).toBe('kept');
  });
});
