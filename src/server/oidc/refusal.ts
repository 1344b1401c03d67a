/** Why an OIDC exchange was refused: recorded in the server log and the audit log, never sent to the caller. */
export type RefusalReason =
  | 'unknown_org'
  | 'unknown_service'
  | 'malformed_token'
  | 'no_provider'
  | 'provider_disabled'
  | 'discovery_failed'
  | 'jwks_failed'
  | 'issuer_mismatch'
  | 'unknown_key'
  | 'algorithm_not_allowed'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'missing_claim'
  | 'invalid_claims'
  | 'claim_missing'
  | 'claim_mismatch'
  | 'invalid_rule'
  | 'service_not_attached';

/** An exchange refusal with its reason and a detail for operators (never containing the token). */
export class OidcRefusal extends Error {
  override name = 'OidcRefusal';

  constructor(
    readonly reason: RefusalReason,
    detail: string,
  ) {
    super(detail);
  }
}
