/**
 * Stable error codes of the repository service. Domain code throws {@link ServiceError} with one
 * of these; the HTTP layer maps each code to a status (http/errors.ts) and docs/errors.md
 * documents every one of them (a test checks both).
 */
export const ERROR_CODES = [
  'not_authenticated',
  'invalid_token',
  'permission_denied',
  'not_found',
  'method_not_allowed',
  'invalid_json',
  'validation_failed',
  'conflict',
  'duplicate_package',
  'package_locked',
  'promotion_rule_failed',
  'payload_too_large',
  'unsupported_media_type',
  'checksum_mismatch',
  'upload_expired',
  'upload_not_ready',
  'invalid_package',
  'file_exists',
  'upload_refused',
  'unsupported_format',
  'quarantined',
  'download_denied',
  'range_not_satisfiable',
  'throttled',
  'oidc_rejected',
  'outbound_address_refused',
  'unavailable',
  'upstream_failed',
  'internal',
] as const;

/** One of the service's stable error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Per-field messages, in the Cloudsmith `{fields: {name: [msg]}}` shape. */
export type FieldErrors = Record<string, string[]>;

/** An error the service reports to the caller with a stable code, a detail and optional field errors. */
export class ServiceError extends Error {
  readonly code: ErrorCode;
  readonly fields?: FieldErrors;
  /** Seconds after which the caller may try again (throttling, unavailable). */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, detail: string, fields?: FieldErrors, retryAfter?: number) {
    super(detail);
    this.name = 'ServiceError';
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

/** Shorthand for a 404 that names what was not found. */
export function notFound(what: string): ServiceError {
  return new ServiceError('not_found', `${what} not found.`);
}

/** Shorthand for a validation failure of one field. */
export function invalidField(field: string, message: string): ServiceError {
  return new ServiceError('validation_failed', `${field}: ${message}`, { [field]: [message] });
}
