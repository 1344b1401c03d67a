import { notFound } from '../domain/errors.js';
import type { Db } from '../store/db.js';

/** An organisation's id and slug. */
export interface OrgRef {
  id: string;
  slug: string;
}

/** The organisation with this slug, or undefined. */
export async function findOrg(db: Db, slug: string): Promise<OrgRef | undefined> {
  return db.selectFrom('orgs').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst();
}

/** The organisation with this slug; 404 when there is none. */
export async function requireOrg(db: Db, slug: string): Promise<OrgRef> {
  const org = await findOrg(db, slug);
  if (!org) throw notFound(`Organisation '${slug}'`);
  return org;
}
