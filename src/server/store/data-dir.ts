import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The server secret and the file it lives in. */
export interface ServerSecret {
  secret: string;
  secretFile: string;
}

/** Where the secret lives when no shared secret file is configured. */
export function defaultSecretFile(dataDir: string): string {
  return path.join(dataDir, 'secret');
}

/**
 * Prepares the data directory (0700) and returns the server secret, creating it on first use,
 * in `secretFile` when given (a file replicas share) or in the data directory. The secret keys
 * API-key hashes and upload-URL signatures: losing it invalidates every key.
 */
export function prepareDataDir(dataDir: string, secretFile?: string): ServerSecret {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.resolve(secretFile || defaultSecretFile(dataDir));
  return { secret: readOrCreateSecret(file), secretFile: file };
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function readOrCreateSecret(file: string): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    // The message names the file, never its content.
    if (!/^[0-9a-f]{64}$/.test(existing))
      throw new Error(`The server secret in ${file} is damaged: it must be 64 hex digits.`);
    return existing;
  } catch (err) {
    // Checked by code, not instanceof: errors from node:fs may come from another realm (test VMs).
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  const secret = crypto.randomBytes(32).toString('hex');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under a temporary name, then linked into place: a replica starting at the same
  // moment sees either no file or the complete secret, never a half-written one.
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, secret + '\n', { mode: 0o600, flag: 'wx', flush: true });
  try {
    fs.linkSync(temp, file);
    return secret;
  } catch (err) {
    // Another process created it first: use theirs.
    if (errorCode(err) === 'EEXIST') return readOrCreateSecret(file);
    throw err;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}
