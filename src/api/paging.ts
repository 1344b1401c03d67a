import type { Static } from 'typebox';
import { Type } from './type.js';

/** Largest `page_size` a list accepts (the official CLI's `--page-all` asks for exactly this). */
export const PAGE_SIZE_MAX = 1000;
/** `page_size` when the caller names none. */
export const PAGE_SIZE_DEFAULT = 30;
/**
 * Largest `page` a list accepts. Far past any real list, yet small enough that
 * `(page - 1) × page_size` stays an exact integer that every database accepts as an OFFSET.
 */
export const PAGE_MAX = 2_147_483_647;

/**
 * The `page` and `page_size` properties every paged list shares, to spread into a list's own query
 * schema so that all lists bound them alike.
 */
export const PAGE_PROPERTIES = {
  page: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: PAGE_MAX,
      default: 1,
      description: 'Which page, from 1; a page past the last one answers 404 `Invalid page.`',
    }),
  ),
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: PAGE_SIZE_MAX,
      default: PAGE_SIZE_DEFAULT,
      description: `Entries per page, 1–${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT}).`,
    }),
  ),
};

/** `page` (1-based) and `page_size` query parameters of a list with no other parameters. */
export const PageQuery = Type.Object(PAGE_PROPERTIES);
/** Parsed paging parameters. */
export type PageQuery = Static<typeof PageQuery>;
