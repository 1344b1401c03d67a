import crypto from 'node:crypto';
import { promisify } from 'node:util';
import {
  findAccountById,
  findLiveUser,
  findPasswordHash,
  findUsersByEmail,
  setPasswordHash,
} from '../store/access.js';
import { findOrgBySlug } from '../store/repos.js';
import type { DbSource } from '../store/source.js';
import { principalOf, type Principal } from './access.js';
import { invalidField, notFound } from './errors.js';

const scrypt = promisify(crypto.scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/** scrypt's cost: 2^15 iterations, 32 MiB of memory, about 50–100 ms a check. */
const COST = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;

/** The shortest web password accepted. */
export const MIN_PASSWORD_LENGTH = 12;

/** A password's stored form: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEY_BYTES, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** True when `password` is the one `stored` was made from (compared in constant time). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: COST.maxmem,
  });
  return crypto.timingSafeEqual(actual, expected);
}

/** Refuses a password that is too short to be worth having. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalidField('password', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
}

/** Sets the web password of the user `email` of org `orgSlug` (the `users passwd` command). */
export async function setUserPassword(
  db: DbSource,
  orgSlug: string,
  email: string,
  password: string,
): Promise<{ id: string; slug: string }> {
  checkNewPassword(password);
  const org = await findOrgBySlug(db, orgSlug);
  if (!org) throw notFound(`Organisation '${orgSlug}'`);
  const user = await findLiveUser(db, org.id, email);
  if (!user || user.kind !== 'user') throw notFound(`User '${email}' in '${orgSlug}'`);
  await setPasswordHash(db, user.id, await hashPassword(password));
  return { id: user.id, slug: user.slug };
}

/**
 * The user an email and password name, or null. Each org's user with that email is tried (an
 * email may belong to people in several orgs); the first whose password matches wins. A miss
 * costs one hash too, so timing does not tell whether the email exists.
 */
export async function userByPassword(
  db: DbSource,
  email: string,
  password: string,
): Promise<Principal | null> {
  const candidates = (await findUsersByEmail(db, email)).filter((u) => u.password_hash);
  if (candidates.length === 0) {
    await hashPassword(password);
    return null;
  }
  for (const user of candidates) {
    if (await verifyPassword(password, user.password_hash!)) {
      const row = await findAccountById(db, user.id);
      if (row) return principalOf(row);
    }
  }
  return null;
}

/** A short fingerprint of an account's current password hash: a changed password ends its sessions. */
export async function passwordFingerprint(db: DbSource, accountId: string): Promise<string | null> {
  const hash = await findPasswordHash(db, accountId);
  return hash ? crypto.createHash('sha256').update(hash).digest('base64url').slice(0, 16) : null;
}
