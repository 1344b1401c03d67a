/**
 * The entity tags of simple pages. A project page's tag is computed before anything is rendered,
 * from what the page is made of and can change: which of the project's files are live and not
 * quarantined (a file's name, version, bytes and metadata never change under its id), which are
 * yanked, the upstream page merged in (by the digest of its body) and the versions the firewall
 * hides. Every replica reads these from the shared database on each request, so a change made
 * anywhere gives the next read a new tag; the rendered text is kept under it
 * (src/server/domain/document-cache.ts) and pip's revalidations are answered 304 from the tag alone.
 */

import { entityTag } from '../domain/document-cache.js';
import { API_VERSION } from './render.js';

/** What a file contributes to its page's revision. */
export interface FileRevision {
  id: string;
  yanked: boolean;
}

/** A string that changes whenever the set of visible files or their yanked state does, in any order given. */
export function projectRevision(files: Iterable<FileRevision>): string {
  const parts = [...files].map((f) => `${f.id}${f.yanked ? ':yanked' : ''}`).sort();
  return parts.length ? parts.join(',') : '-';
}

/** What a project page is made of, for its entity tag. */
export interface PageIdentity {
  form: 'html' | 'json';
  /** The repository's own files ({@link projectRevision}). */
  revision: string;
  /** The digest of the upstream page merged in, or null for none. */
  upstreamRevision: string | null;
  /** The versions the firewall leaves out. */
  hidden: readonly string[];
}

/** The entity tag of a project's page. */
export function projectPageTag(page: PageIdentity): string {
  return entityTag([
    'simple-project',
    API_VERSION,
    page.form,
    page.revision,
    page.upstreamRevision ?? '-',
    [...page.hidden].sort().join(','),
  ]);
}

/** The entity tag of the project list in `form`. */
export function projectListTag(
  projects: { name: string; normalized: string }[],
  form: 'html' | 'json',
): string {
  return entityTag(['simple-list', API_VERSION, form, ...projects.map((p) => `${p.normalized}\0${p.name}`)]);
}
