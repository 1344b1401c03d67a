import { firstManagerSlug, insertService } from '../store/access.js';
import { findOrgBySlug, insertOrg } from '../store/repos.js';
import { inTransaction, type DbSource } from '../store/source.js';
import { generateApiKey, hashKey } from './access.js';
import { newId } from './ids.js';

/** What `init` created, or found already there. */
export type InitResult =
  | { created: true; org: string; service: string; apiKey: string }
  | { created: false; org: string; service: string | null };

const ORG_SLUG = /^[a-z0-9][a-z0-9-]{0,49}$/;

/**
 * Creates an organisation and its admin service account (role Manager) and returns the account's
 * API key, which is never shown again. On an org that exists it changes nothing.
 */
export async function initOrg(db: DbSource, secret: string, slug: string, at: Date): Promise<InitResult> {
  if (!ORG_SLUG.test(slug)) {
    throw new Error(
      `Invalid org slug '${slug}': use lower-case letters, digits and dashes (at most 50, not starting with a dash).`,
    );
  }
  const existing = await findOrgBySlug(db, slug);
  if (existing) {
    return { created: false, org: slug, service: (await firstManagerSlug(db, existing.id)) ?? null };
  }
  const apiKey = generateApiKey();
  const now = at.toISOString();
  const orgId = newId();
  const serviceSlug = `${slug}-admin`.slice(0, 30);
  await inTransaction(db, async (trx) => {
    await insertOrg(trx, { id: orgId, slug, name: slug, created_at: now });
    await insertService(trx, {
      id: newId(),
      org_id: orgId,
      slug: serviceSlug,
      name: `${slug} admin`,
      description: 'Administrator account created by airlock-server init.',
      role: 'Manager',
      key_hash: hashKey(secret, apiKey),
      key_tail: apiKey.slice(-4),
      key_created_at: now,
      created_at: now,
      created_by: null,
      deleted_at: null,
      kind: 'service',
      email: null,
      member_role: null,
    });
  });
  return { created: true, org: slug, service: serviceSlug, apiKey };
}
