/**
 * What an org Manager may do to the people of the organisation (accounts of kind `user`): see
 * them with the state of their sign-in, give one a new one-time key (a reset: the old key and
 * password stop working, and the person sets a new password with the key), or disable one.
 */

import type { MemberRole } from '../../api/access.js';
import {
  findLiveUser,
  hasOtherLiveManager,
  listLiveUsers,
  setPasswordHash,
  setServiceKey,
  type ServiceRecord,
} from '../store/access.js';
import { inTransaction } from '../store/source.js';
import { generateApiKey, hashKey, type Actor } from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { notFound, ServiceError } from './errors.js';
import { resolveOrg, type OrgRow } from './repos.js';
import { retireAccount } from './services.js';

/** A user as the settings page shows it to an org Manager; never a key or a password. */
export interface UserSummary {
  slug: string;
  name: string;
  email: string;
  role: MemberRole;
  /** True once the person has set a web password. */
  has_password: boolean;
  /** When the current key was issued. */
  key_created_at: string;
  joined_at: string;
}

/** The org's live users, by slug (org Manager). */
export async function listUsers(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  window: { offset: number; size: number },
): Promise<{ items: UserSummary[]; count: number }> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const { rows, count } = await listLiveUsers(ctx, org.id, window);
  return {
    items: rows.map((r) => ({
      slug: r.slug,
      name: r.name,
      email: r.email ?? '',
      role: r.member_role ?? 'Member',
      has_password: r.password_hash !== null,
      key_created_at: r.key_created_at,
      joined_at: r.created_at,
    })),
    count,
  };
}

async function findUser(ctx: ServiceContext, org: OrgRow, ref: string): Promise<ServiceRecord> {
  const row = await findLiveUser(ctx, org.id, ref);
  if (!row) throw notFound(`User '${ref}' in '${org.slug}'`);
  return row;
}

/**
 * Gives a user a new one-time key (org Manager), shown this once: the old key stops working, the
 * password is cleared (so every password session ends), and the person signs in with email, a new
 * password and this key, as after `users add`.
 */
export async function issueUserKey(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  ref: string,
): Promise<{ slug: string; email: string; api_key: string }> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: true });
  const user = await findUser(ctx, org, ref);
  const key = generateApiKey();
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    await setServiceKey(trx, user.id, hashKey(ctx.secret, key), now.toISOString(), key.slice(-4));
    await setPasswordHash(trx, user.id, null);
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: 'user.key_issued',
      eventKind: 'action',
      object: user.slug,
      objectKind: 'user',
      objectSlugPerm: user.id,
      context: { email: user.email },
    });
  });
  return { slug: user.slug, email: user.email ?? '', api_key: key };
}

/**
 * Disables a user (org Manager): the account is soft-deleted, so its key, its sessions and its
 * exchanged tokens stop working at once, and its team memberships and repository grants go. The
 * org's last Manager cannot be disabled, nor can a Manager disable themselves.
 */
export async function disableUser(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  ref: string,
): Promise<void> {
  const { org, principal } = await resolveOrg(ctx, actor, owner, { manager: true });
  const user = await findUser(ctx, org, ref);
  if (user.id === principal.serviceId)
    throw new ServiceError('conflict', 'You cannot disable your own account: ask another Manager.');
  const now = ctx.clock();
  await inTransaction(ctx, async (trx) => {
    if (user.role === 'Manager' && !(await hasOtherLiveManager(trx, org.id, user.id)))
      throw new ServiceError('conflict', `'${user.slug}' is the last Manager of '${org.slug}'.`);
    await retireAccount(trx, actor, now, user.id, 'user disabled');
    await recordAudit(trx, actor, now, {
      orgId: org.id,
      event: 'user.disabled',
      eventKind: 'delete',
      object: user.slug,
      objectKind: 'user',
      objectSlugPerm: user.id,
      context: { email: user.email },
    });
  });
}
