import type { FastifyError, FastifyInstance } from 'fastify';
import { ServiceError, type ErrorCode } from '../domain/errors.js';

/** HTTP status of every error code: the one catalogue the error handler renders from. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  not_authenticated: 401,
  invalid_token: 401,
  permission_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  invalid_json: 400,
  validation_failed: 422,
  conflict: 409,
  duplicate_package: 409,
  package_locked: 409,
  promotion_rule_failed: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  checksum_mismatch: 422,
  upload_expired: 410,
  upload_not_ready: 409,
  invalid_package: 422,
  file_exists: 400,
  upload_refused: 400,
  unsupported_format: 422,
  quarantined: 403,
  download_denied: 403,
  range_not_satisfiable: 416,
  throttled: 429,
  oidc_rejected: 401,
  outbound_address_refused: 422,
  unavailable: 503,
  upstream_failed: 502,
  internal: 500,
};

/** The body of every error response. */
export interface ErrorBody {
  detail: string;
  fields?: Record<string, string[]>;
  code: ErrorCode;
}

/** Renders a ServiceError as its wire body. */
export function errorBody(err: ServiceError): ErrorBody {
  const body: ErrorBody = { detail: err.message, code: err.code };
  if (err.fields) body.fields = err.fields;
  return body;
}

function fromFastifyError(err: FastifyError): ServiceError {
  if (err.validation) {
    const fields: Record<string, string[]> = {};
    for (const v of err.validation) {
      const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const missing = (v.params as { missingProperty?: string }).missingProperty;
      const name = missing
        ? path
          ? `${path}.${missing}`
          : missing
        : path || err.validationContext || 'body';
      const allowed = (v.params as { allowedValues?: unknown[] }).allowedValues;
      const message = missing
        ? 'This field is required.'
        : allowed
          ? `must be one of: ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`
          : (v.message ?? 'Invalid value.');
      if (!fields[name]?.includes(message)) (fields[name] ??= []).push(message);
    }
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v.join(' ')}`)
      .join('; ');
    return new ServiceError(
      'validation_failed',
      `Invalid ${err.validationContext ?? 'input'}: ${summary}`,
      fields,
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ServiceError('invalid_json', `Malformed JSON body: ${err.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ServiceError('payload_too_large', 'Request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ServiceError('unsupported_media_type', `Unsupported Content-Type: ${err.message}`);
  }
  if (err.statusCode === 413) return new ServiceError('payload_too_large', err.message);
  if (err.statusCode === 415) return new ServiceError('unsupported_media_type', err.message);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new ServiceError('validation_failed', err.message);
  }
  return new ServiceError('internal', 'Internal server error.');
}

/** Any error a route or hook throws, as the ServiceError the wire shows (unknown ones are `internal`). */
export function toServiceError(error: FastifyError | ServiceError | Error): ServiceError {
  if (error instanceof ServiceError) return error;
  return 'code' in error || 'validation' in error || 'statusCode' in error
    ? fromFastifyError(error as FastifyError)
    : new ServiceError('internal', 'Internal server error.');
}

/** Installs the one error handler and the 404 handler: every failure leaves as `{detail, fields, code}`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ServiceError | Error, request, reply) => {
    const err = toServiceError(error);
    const status = ERROR_STATUS[err.code];
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (err.retryAfter !== undefined) void reply.header('Retry-After', String(err.retryAfter));
    void reply.code(status).send(errorBody(err));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(
        errorBody(
          new ServiceError('not_found', `No such endpoint: ${request.method} ${request.url.split('?')[0]}`),
        ),
      );
  });
}
