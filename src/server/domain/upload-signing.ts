import crypto from 'node:crypto';
import { ServiceError } from './errors.js';

/** The authorisation an upload URL (or the form fields of a `post` upload) carries. */
export interface UploadSignature {
  /** Unix time in seconds after which the URL no longer works. */
  expires: string;
  /** Hex HMAC-SHA256 of the identifier and `expires` under the server secret. */
  signature: string;
}

// A fixed prefix keeps these MACs apart from anything else keyed by the same secret (API-key hashes).
function mac(secret: string, identifier: string, expires: string): Buffer {
  return crypto
    .createHmac('sha256', Buffer.from(secret, 'hex'))
    .update(`airlock-upload\n${identifier}\n${expires}`)
    .digest();
}

/** Signs an upload identifier until `expiresAt` (rounded down to the second). */
export function signUpload(secret: string, identifier: string, expiresAt: Date): UploadSignature {
  const expires = String(Math.floor(expiresAt.getTime() / 1000));
  return { expires, signature: mac(secret, identifier, expires).toString('hex') };
}

/** The signed upload URL and its query string (without the `?`). */
export function signedUploadUrl(
  baseUrl: string,
  secret: string,
  identifier: string,
  expiresAt: Date,
): { url: string; querystring: string } {
  const sig = signUpload(secret, identifier, expiresAt);
  const querystring = new URLSearchParams({ expires: sig.expires, signature: sig.signature }).toString();
  return { url: `${baseUrl}/uploads/${identifier}?${querystring}`, querystring };
}

/**
 * Checks a presented signature in constant time, then its expiry. Throws `permission_denied` when
 * it does not match (a tampered identifier, expiry or signature) and `upload_expired` when it is
 * genuine but past its time.
 */
export function verifyUploadSignature(
  secret: string,
  identifier: string,
  presented: Partial<UploadSignature>,
  now: Date,
): void {
  const { expires, signature } = presented;
  const given = /^[0-9a-f]{64}$/i.test(signature ?? '') ? Buffer.from(signature!, 'hex') : null;
  const valid =
    expires !== undefined &&
    /^\d{1,12}$/.test(expires) &&
    given !== null &&
    crypto.timingSafeEqual(given, mac(secret, identifier, expires));
  if (!valid) {
    throw new ServiceError(
      'permission_denied',
      'The upload URL signature is not valid for this upload; use the upload_url exactly as the service returned it.',
    );
  }
  if (Number(expires) * 1000 <= now.getTime()) {
    throw new ServiceError(
      'upload_expired',
      `The upload URL expired at ${new Date(Number(expires) * 1000).toISOString()}; request a new upload.`,
    );
  }
}
