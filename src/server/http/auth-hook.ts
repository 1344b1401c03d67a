import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { ServiceError } from '../domain/errors.js';
import type { FailedAuthLimiter } from './rate-limit.js';

/**
 * Reads the credential from `X-Api-Key`, `Authorization: Bearer …`, `Authorization: token …` or
 * HTTP basic (the key as password), as Cloudsmith clients send it. Returns null when none is sent.
 */
export function credentialFrom(request: FastifyRequest): string | null {
  const key = request.headers['x-api-key'];
  if (typeof key === 'string' && key.trim()) return key.trim();
  const auth = request.headers.authorization;
  if (!auth) return null;
  const [scheme, value] = auth.split(/\s+/, 2);
  if (!scheme || !value) throw new ServiceError('invalid_token', 'Malformed Authorization header.');
  switch (scheme.toLowerCase()) {
    case 'bearer':
    case 'token':
      return value;
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(colon + 1) : decoded;
    }
    default:
      throw new ServiceError('invalid_token', `Unsupported Authorization scheme: ${scheme}`);
  }
}

/**
 * Sets `request.actor`: anonymous when no credential is sent, 401 when one is sent and is not
 * valid. Invalid credentials count against the client address (`limits.failedAuthPerHour`); an
 * address over that limit gets 429 before its credential is even looked at.
 */
export async function authHook(
  ctx: ServiceContext,
  limiter: FailedAuthLimiter,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  request.actor = { principal: null, ip: request.ip ?? null };
  const hasCredential = Boolean(request.headers['x-api-key'] || request.headers.authorization);
  if (!hasCredential) return;
  const address = request.ip ?? 'unknown';
  limiter.refuseIfThrottled(address, reply);
  try {
    const credential = credentialFrom(request);
    if (!credential) return;
    request.actor.principal = await authenticate(ctx, credential);
  } catch (err) {
    if (err instanceof ServiceError && err.code === 'invalid_token') limiter.recordFailure(address);
    throw err;
  }
}
