/**
 * `npm search` (`/-/v1/search`) and `npm whoami` (`/-/whoami`) against a repository's registry.
 */

import type { Actor } from '../domain/access.js';
import { requirePrincipal } from '../domain/access.js';
import type { ServiceContext } from '../domain/context.js';
import { invalidField } from '../domain/errors.js';
import { listNpmVersions, searchNpmNames } from '../store/npm.js';
import { distTagsOf, resolveNpmRepo } from './registry.js';

/** One hit of `/-/v1/search`, in the shape npm's search prints. */
export interface SearchObject {
  package: {
    name: string;
    version: string;
    description: string;
    keywords: string[];
    date: string;
    links: Record<string, string>;
    publisher: { username: string };
    maintainers: { username: string }[];
  };
  score: { final: number; detail: { quality: number; popularity: number; maintenance: number } };
  searchScore: number;
}

/** The answer of `/-/v1/search`. */
export interface SearchResult {
  objects: SearchObject[];
  total: number;
  time: string;
}

/** Most hits one search page returns (npm asks for 20 by default). */
export const MAX_SEARCH_SIZE = 250;

/**
 * `GET /-/v1/search?text=&size=&from=` (Read): packages whose name or summary contains the text,
 * each with its `latest` version.
 */
export async function searchPackages(
  ctx: ServiceContext,
  actor: Actor,
  owner: string,
  slug: string,
  query: { text?: string; size?: number; from?: number },
): Promise<SearchResult> {
  const repo = await resolveNpmRepo(ctx, actor, owner, slug, 'Read');
  const size = query.size ?? 20;
  const from = query.from ?? 0;
  if (size < 1 || size > MAX_SEARCH_SIZE)
    throw invalidField('size', `Must be between 1 and ${MAX_SEARCH_SIZE}.`);
  if (from < 0) throw invalidField('from', 'Must not be negative.');
  const text = (query.text ?? '').trim().slice(0, 200);
  const found = await searchNpmNames(ctx, repo.access.repo.id, text, { from, size });
  const objects: SearchObject[] = [];
  for (const nameKey of found.nameKeys) {
    const rows = await listNpmVersions(ctx, repo.access.repo.id, nameKey);
    if (rows.length === 0) continue;
    const latest = rows.find((r) => r.version === distTagsOf(rows).latest) ?? rows[rows.length - 1]!;
    const manifest = (latest.metadata.npm_manifest as Record<string, unknown> | undefined) ?? {};
    const keywords = Array.isArray(manifest.keywords)
      ? manifest.keywords.filter((k): k is string => typeof k === 'string')
      : [];
    objects.push({
      package: {
        name: latest.name,
        version: latest.version,
        description: latest.description,
        keywords,
        date: latest.uploadedAt,
        links: {},
        publisher: { username: latest.uploader },
        maintainers: [...new Set(rows.map((r) => r.uploader))].map((username) => ({ username })),
      },
      score: { final: 1, detail: { quality: 1, popularity: 1, maintenance: 1 } },
      searchScore: 1,
    });
  }
  return { objects, total: found.total, time: ctx.clock().toUTCString() };
}

/** `GET /-/whoami`: the service account behind the token. */
export function whoami(actor: Actor): { username: string } {
  return { username: requirePrincipal(actor).serviceSlug };
}
