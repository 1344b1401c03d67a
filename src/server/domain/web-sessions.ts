import crypto from 'node:crypto';
import { leasedIntervalTask } from '../jobs/scheduler.js';
import { inTransaction } from '../store/source.js';
import {
  deleteExpiredWebSessions,
  deleteWebSession,
  findWebSession,
  insertWebSession,
} from '../store/web-sessions.js';
import { findAccountById, setPasswordHash } from '../store/access.js';
import { authenticate, hashKey, principalOf, type Actor, type Principal } from './access.js';
import { checkNewPassword, hashPassword, passwordFingerprint, userByPassword } from './passwords.js';
import { recordAudit } from './audit.js';
import type { BackgroundTask } from './background.js';
import type { ServiceContext } from './context.js';
import { ServiceError } from './errors.js';

/** How long a web session lasts from sign-in. */
export const WEB_SESSION_HOURS = 12;

/** A session just made: the cookie value (shown once) and its form token. */
export interface NewWebSession {
  cookie: string;
  csrf: string;
  expiresAt: Date;
}

/** A signed-in request: who it acts as, and the token its forms must carry. */
export interface WebSession {
  actor: Actor;
  csrf: string;
}

function sealKey(ctx: ServiceContext): Buffer {
  return crypto
    .createHmac('sha256', Buffer.from(ctx.secret, 'hex'))
    .update('airlock web session credential')
    .digest();
}

function seal(ctx: ServiceContext, credential: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', sealKey(ctx), iv);
  const body = Buffer.concat([cipher.update(credential, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function unseal(ctx: ServiceContext, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', sealKey(ctx), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** A session credential that is a user's password sign-in: the account and its password's fingerprint. */
const PASSWORD_PREFIX = 'password:';

async function createSession(
  ctx: ServiceContext,
  principal: Principal,
  sealedCredential: string,
  ip: string | null,
  method: 'api_key' | 'password',
): Promise<NewWebSession> {
  const now = ctx.clock();
  const cookie = crypto.randomBytes(32).toString('base64url');
  const csrf = crypto.randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + WEB_SESSION_HOURS * 3600_000);
  await inTransaction(ctx, async (trx) => {
    await insertWebSession(trx, {
      id_hash: hashKey(ctx.secret, cookie),
      credential: seal(ctx, sealedCredential),
      csrf,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    });
    await recordAudit(trx, { principal, ip }, now, {
      orgId: principal.orgId,
      event: 'web.sign_in',
      eventKind: 'action',
      object: principal.name,
      objectKind: principal.kind === 'user' ? 'user' : 'service',
      objectSlugPerm: principal.serviceId,
      context: { method, expires_at: expiresAt.toISOString() },
    });
  });
  return { cookie, csrf, expiresAt };
}

/**
 * Signs in with an API key or an exchanged token: checks it as the API would, then stores a
 * session that holds it sealed. The sign-in is audited; a credential the service does not know
 * is the API's 401.
 */
export async function signInWithCredential(
  ctx: ServiceContext,
  credential: string,
  ip: string | null,
): Promise<NewWebSession> {
  const principal = await authenticate(ctx, credential.trim());
  return createSession(ctx, principal, credential.trim(), ip, 'api_key');
}

/**
 * Signs in a user with email and password. With `firstKey` (the one-time key `users add`
 * printed) a user without a password sets one: the key must be that user's.
 */
export async function signInWithPassword(
  ctx: ServiceContext,
  email: string,
  password: string,
  ip: string | null,
  firstKey?: string,
): Promise<NewWebSession> {
  let principal: Principal | null;
  if (firstKey) {
    const owner = await authenticate(ctx, firstKey.trim());
    if (owner.kind !== 'user' || owner.email !== email.trim().toLowerCase())
      throw new ServiceError('invalid_token', 'That key is not the key of this email address.');
    checkNewPassword(password);
    await setPasswordHash(ctx, owner.serviceId, await hashPassword(password));
    principal = owner;
  } else {
    principal = await userByPassword(ctx, email.trim(), password);
  }
  if (!principal) throw new ServiceError('invalid_token', 'Wrong email or password.');
  const fingerprint = await passwordFingerprint(ctx, principal.serviceId);
  return createSession(
    ctx,
    principal,
    `${PASSWORD_PREFIX}${principal.serviceId}:${fingerprint}`,
    ip,
    'password',
  );
}

/**
 * The session a cookie names, with its actor resolved now from the sealed credential; null when
 * the cookie names no live session or its credential no longer authenticates.
 */
export async function resolveWebSession(
  ctx: ServiceContext,
  cookie: string,
  ip: string | null,
): Promise<WebSession | null> {
  const row = await findWebSession(ctx, hashKey(ctx.secret, cookie), ctx.clock().toISOString());
  if (!row) return null;
  try {
    const credential = unseal(ctx, row.credential);
    const principal = credential.startsWith(PASSWORD_PREFIX)
      ? await passwordPrincipal(ctx, credential.slice(PASSWORD_PREFIX.length))
      : await authenticate(ctx, credential);
    if (!principal) return null;
    return { actor: { principal, ip }, csrf: row.csrf };
  } catch (err) {
    if (err instanceof ServiceError) return null;
    throw err;
  }
}

/** The user a password session names, while the account lives and its password is unchanged. */
async function passwordPrincipal(ctx: ServiceContext, ref: string): Promise<Principal | null> {
  const [accountId, fingerprint] = ref.split(':');
  if (!accountId || !fingerprint || (await passwordFingerprint(ctx, accountId)) !== fingerprint) return null;
  const row = await findAccountById(ctx, accountId);
  return row ? principalOf(row) : null;
}

/** Ends the session a cookie names (nothing happens when there is none). */
export async function signOut(ctx: ServiceContext, cookie: string): Promise<void> {
  await deleteWebSession(ctx, hashKey(ctx.secret, cookie));
}

/** Removes expired sessions every hour, on one replica at a time. */
export function webSessionPruning(ctx: ServiceContext): BackgroundTask {
  return leasedIntervalTask(
    ctx,
    'web-session-prune',
    3600_000,
    async () => {
      const removed = await deleteExpiredWebSessions(ctx, ctx.clock().toISOString());
      if (removed > 0) ctx.log.info({ removed }, 'removed expired web sessions');
    },
    (err) => ctx.log.warn({ err }, 'pruning expired web sessions failed'),
    { clock: ctx.clock },
  );
}
