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
