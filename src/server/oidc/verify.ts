import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { KeySetCache } from './key-sets.js';
import { OidcRefusal } from './refusal.js';

/** Signature algorithms accepted: asymmetric only, so never `none` and never an HMAC keyed with a public key. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * Checks a token's algorithm against {@link ACCEPTED_ALGORITHMS} from its header alone, before
 * anything is fetched for it.
 */
export function checkAlgorithm(token: string): void {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new OidcRefusal('malformed_token', 'the token is not a compact JWS');
  }
  if (!(ACCEPTED_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw new OidcRefusal('algorithm_not_allowed', `algorithm '${clipped(alg)}' is not accepted`);
  }
}

/**
 * Verifies a token's signature against the issuer's published keys and its `iss`, `exp`, `nbf`
 * and `iat` at `now`; returns its claims. Audience and claim rules are the caller's to check,
 * per provider. Throws {@link OidcRefusal}.
 */
export async function verifyOidcToken(
  token: string,
  providerUrl: string,
  keys: KeySetCache,
  now: Date,
): Promise<JWTPayload> {
  checkAlgorithm(token);
  const { issuer, getKey } = await keys.keysFor(providerUrl);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      issuer,
      algorithms: [...ACCEPTED_ALGORITHMS],
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: now,
      requiredClaims: ['exp', 'iat', 'sub'],
    }));
  } catch (err) {
    throw refusalFrom(err);
  }
  if (payload.iat! > now.getTime() / 1000 + CLOCK_SKEW_SECONDS) {
    throw new OidcRefusal(
      'issued_in_future',
      `iat ${payload.iat} is later than now plus ${CLOCK_SKEW_SECONDS} s`,
    );
  }
  return payload;
}

/** True when the token's `aud` (a string or a list) names `audience`. */
export function audienceMatches(payload: JWTPayload, audience: string): boolean {
  return Array.isArray(payload.aud) ? payload.aud.includes(audience) : payload.aud === audience;
}

function refusalFrom(err: unknown): OidcRefusal {
  if (err instanceof OidcRefusal) return err;
  if (err instanceof errors.JWTExpired) return new OidcRefusal('expired', err.message);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return new OidcRefusal('missing_claim', err.message);
    switch (err.claim) {
      case 'iss':
        return new OidcRefusal('wrong_issuer', err.message);
      case 'nbf':
        return new OidcRefusal('not_yet_valid', err.message);
      default:
        return new OidcRefusal('invalid_claims', err.message);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new OidcRefusal('algorithm_not_allowed', err.message);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new OidcRefusal('bad_signature', err.message);
  return new OidcRefusal('malformed_token', err instanceof Error ? err.message : String(err));
}

function clipped(value: unknown): string {
  return String(value).slice(0, 50);
}
