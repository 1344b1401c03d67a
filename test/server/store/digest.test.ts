import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDigester } from '../../../src/server/store/digest.js';

const hex = (algorithm: string, bytes: Buffer) => crypto.createHash(algorithm).update(bytes).digest('hex');

describe('createDigester', () => {
  it.each([
    ['a small stream hashed inline', 1000],
    ['a stream past 4 MiB hashed partly on the worker thread', 9 * 1024 * 1024 + 17],
  ])('gives the sha256, md5, sha1 and size of %s', async (_what, size) => {
    const bytes = crypto.randomBytes(size);
    const d = createDigester();
    for (let at = 0; at < size; at += 64 * 1024) d.update(bytes.subarray(at, at + 64 * 1024));
    await expect(d.finish()).resolves.toEqual({
      sha256: hex('sha256', bytes),
      md5: hex('md5', bytes),
      sha1: hex('sha1', bytes),
      size,
    });
  });

  it('keeps two interleaved streams apart', async () => {
    const a = crypto.randomBytes(6 * 1024 * 1024);
    const b = crypto.randomBytes(5 * 1024 * 1024);
    const da = createDigester();
    const db = createDigester();
    for (let at = 0; at < a.length; at += 1024 * 1024) {
      da.update(a.subarray(at, at + 1024 * 1024));
      db.update(b.subarray(at, at + 1024 * 1024));
    }
    const [ra, rb] = await Promise.all([da.finish(), db.finish()]);
    expect(ra.md5).toBe(hex('md5', a));
    expect(rb.sha1).toBe(hex('sha1', b));
  });

  it('hashes a chunk larger than its shared ring, and streams that wait for room between chunks', async () => {
    const big = crypto.randomBytes(13 * 1024 * 1024 + 5);
    const d = createDigester();
    d.update(big.subarray(0, 1024));
    d.update(big.subarray(1024));
    const paced = crypto.randomBytes(11 * 1024 * 1024);
    const p = createDigester();
    for (let at = 0; at < paced.length; at += 64 * 1024) {
      p.update(paced.subarray(at, at + 64 * 1024));
      if (!p.hasRoom()) await p.ready();
    }
    const [rd, rp] = await Promise.all([d.finish(), p.finish()]);
    expect(rd.md5).toBe(hex('md5', big));
    expect(rp.md5).toBe(hex('md5', paced));
    expect(rp.size).toBe(paced.length);
  });

  it('gives a cancelled stream’s shared memory to the next stream without mixing their bytes', async () => {
    for (let round = 0; round < 3; round++) {
      const dropped = createDigester();
      dropped.update(crypto.randomBytes(7 * 1024 * 1024));
      dropped.cancel();
      const bytes = crypto.randomBytes(6 * 1024 * 1024 + round);
      const kept = createDigester();
      kept.update(bytes);
      await expect(kept.finish()).resolves.toMatchObject({ md5: hex('md5', bytes), size: bytes.length });
    }
  });

  it('lets the process exit once hashing is done (the worker thread holds nothing open)', async () => {
    const lib = fileURLToPath(new URL('../../../lib/src/server/store/digest.js', import.meta.url));
    const script = `
      const { createDigester } = await import(${JSON.stringify(lib)});
      const d = createDigester();
      d.update(Buffer.alloc(6 * 1024 * 1024, 1));
      const r = await d.finish();
      process.stdout.write(r.md5);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 15_000,
    });
    expect(stdout).toBe(hex('md5', Buffer.alloc(6 * 1024 * 1024, 1)));
  });
});
