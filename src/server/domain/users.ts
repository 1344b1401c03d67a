import type { MemberRole, OrgMember, Organization } from '../../api/access.js';
import {
  findLiveUser,
  insertService,
  isServiceSlugUsed,
  isUserEmailUsed,
  listLiveUsers,
  type ServiceRecord,
} from '../store/access.js';
import { findOrgBySlug } from '../store/repos.js';
import { inTransaction, type DbSource } from '../store/source.js';
import { generateApiKey, hashKey, type Actor } from './access.js';
import { recordAudit } from './audit.js';
import type { ServiceContext } from './context.js';
import { notFound } from './errors.js';
import { newId, slugify } from './ids.js';
import { isUniqueViolation, resolveOrg, type OrgRow } from './repos.js';

/** The org roles a user may hold, strongest first. */
export const MEMBER_ROLES: readonly MemberRole[] = ['Owner', 'Manager', 'Member', 'ReadOnly'];

const USER_SLUG_MAX = 30;
const SUFFIX_LENGTH = 6;
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What `users add` asks for. */
export interface NewUser {
  org: string;
  email: string;
  role: MemberRole;
  /** The person's name; the email's local part when absent. */
  name?: string;
}

/** A user just added, with its API key (shown this once). */
export interface AddedUser {
  org: string;
  slug: string;
  slug_perm: string;
  email: string;
  name: string;
  role: MemberRole;
  api_key: string;
}

/** The two-level account role the access rules read: Owners and Managers administer the org. */
function accountRole(role: MemberRole): 'Manager' | 'Member' {
  return role === 'Owner' || role === 'Manager' ? 'Manager' : 'Member';
}

function toMember(baseUrl: string, org: OrgRow, row: ServiceRecord): OrgMember {
  return {
    email: row.email ?? '',
    has_two_factor: false,
    is_active: true,
    joined_at: row.created_at,
    last_login_at: null,
    last_login_method: null,
    role: row.member_role ?? 'Member',
    user: row.slug,
    user_id: row.slug,
    user_name: row.name,
    user_url: `${baseUrl}/orgs/${org.slug}/members/${row.slug}/`,
    visibility: 'Public',
    slug_perm: row.id,
  };
}

async function freeUserSlug(db: DbSource, orgId: string, email: string, attempt: number): Promise<string> {
  const base = slugify(email.split('@')[0]!, USER_SLUG_MAX);
  if (attempt === 0 && !(await isServiceSlugUsed(db, orgId, base))) return base;
  const stem = base.slice(0, USER_SLUG_MAX - SUFFIX_LENGTH - 1).replace(/[-._]+$/, '');
  return `${stem}-${newId(SUFFIX_LENGTH).toLowerCase()}`;
}

/**
 * Adds a person to an organisation with an org role and returns their API key, which is never
 * shown again. Run by the operator (`airlock-server users add`), so the audit event's actor is
 * the system.
 */
export async function addUser(
  db: DbSource,
  secret: string,
  input: NewUser,
  at: Date,
  actor: Actor,
): Promise<AddedUser> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new Error(`Invalid email '${input.email}': expected name@domain.`);
  if (!MEMBER_ROLES.includes(input.role)) {
    throw new Error(`Invalid role '${String(input.role)}': expected one of ${MEMBER_ROLES.join(', ')}.`);
  }
  const org = await findOrgBySlug(db, input.org);
  if (!org) throw new Error(`No organisation '${input.org}': create it with airlock-server init first.`);
  if (await isUserEmailUsed(db, org.id, email)) {
    throw new Error(`'${email}' is already a member of '${org.slug}'.`);
  }
  const name = input.name?.trim() || email.split('@')[0]!;
  const key = generateApiKey();
  const now = at.toISOString();
  // A concurrent add may take the same slug between the check and the insert: try a suffix then.
  for (let attempt = 0; ; attempt++) {
    const row: ServiceRecord = {
      id: newId(),
      org_id: org.id,
      slug: await freeUserSlug(db, org.id, email, attempt),
      name,
      description: '',
      role: accountRole(input.role),
      key_hash: hashKey(secret, key),
      key_tail: key.slice(-4),
      key_created_at: now,
      created_at: now,
      created_by: null,
      deleted_at: null,
      kind: 'user',
      email,
      member_role: input.role,
      password_hash: null,
    };
    try {
      await inTransaction(db, async (trx) => {
        await insertService(trx, row);
        await recordAudit(trx, actor, at, {
          orgId: org.id,
          event: 'user.created',
          eventKind: 'create',
          object: row.slug,
          objectKind: 'user',
          objectSlugPerm: row.id,
          context: { email, role: input.role },
        });
      });
      return {
        org: org.slug,
        slug: row.slug,
        slug_perm: row.id,
        email,
        name,
        role: input.role,
        api_key: key,
      };
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 3) throw err;
    }
  }
}

/** One member of the organisation (org members), named by slug, slug_perm or email. */
export async function getMember(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  member: string,
): Promise<OrgMember> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: false });
  const row = await findLiveUser(ctx, org.id, member);
  if (!row) throw notFound(`Member '${member}' of '${org.slug}'`);
  return toMember(ctx.baseUrl, org, row);
}

/** One page of the organisation's members by slug (org members). */
export async function listMembers(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  window: { offset: number; size: number },
): Promise<{ items: OrgMember[]; count: number }> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: false });
  const { rows, count } = await listLiveUsers(ctx, org.id, window);
  return { items: rows.map((r) => toMember(ctx.baseUrl, org, r)), count };
}

/** The organisation (org members), by slug or slug_perm. */
export async function getOrganization(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
): Promise<Organization> {
  const { org } = await resolveOrg(ctx, actor, owner, { manager: false });
  return {
    name: org.name,
    slug: org.slug,
    slug_perm: org.id,
    created_at: org.created_at,
    country: null,
    location: null,
    tagline: null,
  };
}
