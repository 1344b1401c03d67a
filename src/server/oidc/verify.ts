import { KeyObject, verify as verifySignature } from 'node:crypto';
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import type { KeySetCache } from './key-sets.js';
import { OidcRefusal } from './refusal.js';

/** Signature algorithms accepted: asymmetric only, so never `none` and never an HMAC keyed with a public key. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_SKEW_SECONDS = 60;

/** Claims every accepted token carries. */
const REQUIRED_CLAIMS = ['iss', 'sub', 'exp', 'iat'] as const;

/** Smallest RSA modulus accepted (RFC 7518 §3.3). */
const MIN_RSA_BITS = 2048;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** A compact JWS as read from the request, before anything about it is trusted. */
export interface UnverifiedJwt {
  header: JWTHeaderParameters;
  claims: JWTPayload;
  /** The three parts as sent: the protected header, the payload and the signature, base64url. */
  parts: readonly [string, string, string];
}

/**
 * Reads a compact JWS (three base64url parts whose first two are JSON objects) without checking
 * anything it says. Throws {@link OidcRefusal} `malformed_token`.
 */
export function readJwt(token: string): UnverifiedJwt {
  const parts = token.split('.');
  // The signature may be empty (an unsigned token): the algorithm check refuses it by name.
  if (parts.length !== 3 || !parts.every((part, i) => BASE64URL.test(part) || (i === 2 && part === ''))) {
    throw new OidcRefusal('malformed_token', 'the token is not a compact JWS of three base64url parts');
  }
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: jsonPart(header, 'header') as JWTHeaderParameters,
    claims: jsonPart(payload, 'payload') as JWTPayload,
    parts: [header, payload, signature],
  };
}

function jsonPart(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new OidcRefusal('malformed_token', `the token's ${name} is not JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new OidcRefusal('malformed_token', `the token's ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks a token's header before anything is fetched for it: an algorithm from
 * {@link ACCEPTED_ALGORITHMS}, and no header parameter that would change how it must be verified.
 */
export function checkAlgorithm(jwt: UnverifiedJwt): void {
  const { alg, crit, b64 } = jwt.header as Record<string, unknown>;
  if (!(ACCEPTED_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw new OidcRefusal('algorithm_not_allowed', `algorithm '${clipped(alg)}' is not accepted`);
  }
  // `crit` names extensions the verifier must understand (RFC 7515 §4.1.11); none is understood.
  if (crit !== undefined) {
    throw new OidcRefusal(
      'malformed_token',
      'the token names critical header parameters, none of which is supported',
    );
  }
  if (b64 !== undefined) {
    throw new OidcRefusal('malformed_token', "the token's header sets 'b64', which is not supported");
  }
}

/**
 * Verifies a token's signature against the issuer's published keys and its `iss`, `exp`, `nbf`
 * and `iat` at `now`; returns its claims. Audience and claim rules are the caller's to check,
 * per provider. The signature is checked with node:crypto on this thread: it takes tens of
 * microseconds, less than handing it to the thread pool and back. Throws {@link OidcRefusal}.
 */
export async function verifyOidcToken(
  jwt: UnverifiedJwt,
  providerUrl: string,
  keys: KeySetCache,
  now: Date,
): Promise<JWTPayload> {
  checkAlgorithm(jwt);
  const { issuer, getKey } = await keys.keysFor(providerUrl);
  const [header, payload, signature] = jwt.parts;
  let found: Awaited<ReturnType<typeof getKey>>;
  try {
    found = await getKey(jwt.header, { protected: header, payload, signature });
  } catch (err) {
    if (err instanceof OidcRefusal) throw err;
    throw new OidcRefusal(
      'unknown_key',
      `no usable key for the token: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const key = keyObjectOf(found);
  const alg = jwt.header.alg as (typeof ACCEPTED_ALGORITHMS)[number];
  checkKey(alg, key);
  let valid: boolean;
  try {
    valid = verifySignature(
      'sha256',
      Buffer.from(`${header}.${payload}`, 'ascii'),
      alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new OidcRefusal('bad_signature', 'signature verification failed');
  checkClaims(jwt.claims, issuer, now.getTime() / 1000);
  return jwt.claims;
}

const keyObjects = new WeakMap<object, KeyObject>();

/** The node:crypto key behind what the key set returned (a CryptoKey, converted once). */
function keyObjectOf(key: unknown): KeyObject {
  if (key instanceof KeyObject) return key;
  if (typeof key !== 'object' || key === null || key instanceof Uint8Array) {
    throw new OidcRefusal('unknown_key', 'the key set gave no public key for the token');
  }
  let object = keyObjects.get(key);
  if (!object) {
    try {
      object = KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    } catch {
      throw new OidcRefusal('unknown_key', 'the key set gave no public key for the token');
    }
    keyObjects.set(key, object);
  }
  return object;
}

/** The key must be a public key of the algorithm's type, and an RSA key long enough. */
function checkKey(alg: (typeof ACCEPTED_ALGORITHMS)[number], key: KeyObject): void {
  const details = key.asymmetricKeyDetails;
  const fits =
    key.type === 'public' &&
    (alg === 'RS256'
      ? key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS
      : key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1');
  if (!fits) {
    throw new OidcRefusal(
      'unknown_key',
      alg === 'RS256'
        ? `the issuer's key is not an RSA public key of at least ${MIN_RSA_BITS} bits`
        : "the issuer's key is not a P-256 public key",
    );
  }
}

/** `iss`, `sub`, `exp`, `iat` present; `iss` the issuer's; the times numbers and `now` within them. */
function checkClaims(claims: JWTPayload, issuer: string, now: number): void {
  for (const claim of REQUIRED_CLAIMS) {
    if (claims[claim] === undefined) {
      throw new OidcRefusal('missing_claim', `the token has no '${claim}' claim`);
    }
  }
  if (claims.iss !== issuer) {
    throw new OidcRefusal('wrong_issuer', `'iss' is '${clipped(claims.iss)}', not '${issuer}'`);
  }
  if (typeof claims.sub !== 'string') throw new OidcRefusal('invalid_claims', "'sub' is not a string");
  for (const claim of ['exp', 'iat', 'nbf'] as const) {
    const value = claims[claim];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new OidcRefusal('invalid_claims', `'${claim}' is not a number`);
    }
  }
  if (claims.nbf !== undefined && claims.nbf > now + CLOCK_SKEW_SECONDS) {
    throw new OidcRefusal(
      'not_yet_valid',
      `nbf ${claims.nbf} is later than now plus ${CLOCK_SKEW_SECONDS} s`,
    );
  }
  if (claims.exp! <= now - CLOCK_SKEW_SECONDS) {
    throw new OidcRefusal('expired', `exp ${claims.exp} is earlier than now minus ${CLOCK_SKEW_SECONDS} s`);
  }
  if (claims.iat! > now + CLOCK_SKEW_SECONDS) {
    throw new OidcRefusal(
      'issued_in_future',
      `iat ${claims.iat} is later than now plus ${CLOCK_SKEW_SECONDS} s`,
    );
  }
}

/** True when the token's `aud` (a string or a list) names `audience`. */
export function audienceMatches(payload: JWTPayload, audience: string): boolean {
  return Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience;
}

function clipped(value: unknown): string {
  return String(value).slice(0, 50);
}
