import crypto from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random bytes drawn from the operating system's generator in blocks, each byte handed out once. */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolUsed = POOL_BYTES;

/**
 * `n` cryptographically random bytes, copied out of a pool refilled by `crypto.randomFillSync`
 * once it is used up: one call into the generator per few hundred identifiers instead of one
 * each (the token exchange makes three). Never returns a view of the pool.
 */
export function randomBytes(n: number): Buffer {
  if (n > POOL_BYTES) return crypto.randomBytes(n);
  if (poolUsed + n > POOL_BYTES) {
    crypto.randomFillSync(pool);
    poolUsed = 0;
  }
  const out = Buffer.from(pool.subarray(poolUsed, poolUsed + n));
  // Handed-out bytes are overwritten so that no later reader of the pool can see them.
  pool.fill(0, poolUsed, poolUsed + n);
  poolUsed += n;
  return out;
}

/** A random identifier of `length` letters and digits (default 12, as `slug_perm`s are). */
export function newId(length = 12): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    // 248 = 4 × 62: rejecting larger bytes keeps every character equally likely.
    if (bytes[i]! < 248) out += ALPHABET[bytes[i]! % 62];
  }
  return out.length === length ? out : out + newId(length - out.length);
}

/** Turns a name into a URL-safe slug (lower case, dashes), at most `max` characters. */
export function slugify(name: string, max = 50): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, max);
  return slug || 'item';
}

/** The current time as the ISO-8601 string the tables store. */
export type Clock = () => Date;

/** The wall clock. */
export const systemClock: Clock = () => new Date();
