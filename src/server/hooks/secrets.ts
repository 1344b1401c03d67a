import crypto from 'node:crypto';

/**
 * Webhook signing keys and secret header values must be readable to the service (it signs and
 * sends them) but never stored in clear: AES-256-GCM under a key derived from the server secret.
 */
function keyFrom(secret: string): Buffer {
  return Buffer.from(
    crypto.hkdfSync('sha256', Buffer.from(secret, 'hex'), Buffer.alloc(0), 'airlock webhook secrets', 32),
  );
}

/** Encrypts a value for storage: `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function sealSecret(secret: string, value: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [
    'v1',
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/** Decrypts a value sealed by {@link sealSecret}; throws when it was tampered with. */
export function openSecret(secret: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unreadable sealed secret.');
  const decipher = crypto.createDecipheriv('aes-256-gcm', keyFrom(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** The two signature headers of a delivery body: Cloudsmith's HMAC-SHA1 hex and Airlock's HMAC-SHA256. */
export function signatureHeaders(key: string, body: string): Record<string, string> {
  return {
    'X-Cloudsmith-Signature': crypto.createHmac('sha1', key).update(body).digest('hex'),
    'X-Airlock-Signature-256': 'sha256=' + crypto.createHmac('sha256', key).update(body).digest('hex'),
  };
}
