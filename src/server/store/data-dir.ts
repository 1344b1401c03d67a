import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Prepares the data directory (0700) and returns the server secret, creating it on first use.
 * The secret keys API-key hashes and upload-URL signatures: losing it invalidates every key.
 */
export function prepareDataDir(dataDir: string): { secret: string } {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(existing)) throw new Error(`The server secret in ${file} is damaged.`);
    return { secret: existing };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = crypto.randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return { secret };
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return prepareDataDir(dataDir);
    throw err;
  }
}
