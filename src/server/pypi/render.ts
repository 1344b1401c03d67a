/**
 * The simple repository API's two forms (PEP 503 HTML, PEP 691 JSON) and the JSON project API,
 * rendered from index rows. Pure: no I/O. File URLs are relative to the page (`../../files/…`
 * from `/simple/{project}/`), so the pages are right behind any proxy or public URL.
 */

import { compare as comparePep440, explain as explainPep440 } from '@renovatebot/pep440';
import type { IndexFile, ProjectFiles } from './index.js';

/** PEP 691's JSON content type, and the HTML one it names beside `text/html`. */
export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
/** PEP 691's HTML content type. */
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
/** The simple API version these pages implement (1.1: PEP 700's `versions`, sizes, upload times). */
export const API_VERSION = '1.1';

const CHOICES: [string, 'json' | 'html'][] = [
  [SIMPLE_JSON, 'json'],
  ['application/vnd.pypi.simple.latest+json', 'json'],
  [SIMPLE_HTML, 'html'],
  ['application/vnd.pypi.simple.latest+html', 'html'],
  ['text/html', 'html'],
];

/**
 * Which form an `Accept` header asks for (PEP 691 content negotiation): the highest q-value
 * among the forms served wins, ties going to the one listed first. HTML when the header is
 * absent, asks for anything (`*` wildcards) or for nothing served.
 */
export function negotiateSimpleFormat(accept: string | undefined): 'json' | 'html' {
  if (!accept) return 'html';
  // Clients send the same few headers on every request: each is read once.
  const known = negotiated.get(accept);
  if (known) return known;
  const form = negotiate(accept);
  if (negotiated.size >= NEGOTIATED_MAX) negotiated.clear();
  negotiated.set(accept, form);
  return form;
}

// Bounded: a client could send a different header on each request.
const NEGOTIATED_MAX = 256;
const negotiated = new Map<string, 'json' | 'html'>();

function negotiate(accept: string): 'json' | 'html' {
  let best: { form: 'json' | 'html'; q: number; order: number } | null = null;
  accept.split(',').forEach((item, order) => {
    const [type = '', ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) return;
    const choice = CHOICES.find(([t]) => t === type);
    const form = choice ? choice[1] : type === '*/*' || type === 'text/*' ? 'html' : null;
    if (!form) return;
    if (!best || q > best.q) best = { form, q, order };
  });
  return (best as { form: 'json' | 'html' } | null)?.form ?? 'html';
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML attribute or text node (named entities, as simple-page readers expect). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The URL of a file relative to a project page (`…/simple/{project}/`). */
export function fileHref(filename: string): string {
  return `../../files/${encodeURIComponent(filename)}`;
}

/** The simple index page listing every project, as HTML. */
export function renderProjectListHtml(projects: { name: string; normalized: string }[]): string {
  const links = projects
    .map((p) => `<a href="${encodeURIComponent(p.normalized)}/">${escapeHtml(p.name)}</a><br>`)
    .join('\n');
  return (
    '<!DOCTYPE html>\n<html><head>' +
    `<meta name="pypi:repository-version" content="${API_VERSION}">` +
    `<title>Simple index</title></head><body>\n${links}\n</body></html>\n`
  );
}

/** The simple index page listing every project, as PEP 691 JSON. */
export function renderProjectListJson(projects: { name: string; normalized: string }[]): object {
  return { meta: { 'api-version': API_VERSION }, projects: projects.map((p) => ({ name: p.name })) };
}

/** A project's page, as PEP 503 HTML with PEP 592, 658 and 714 attributes. */
export function renderProjectHtml(project: ProjectFiles): string {
  const links = project.files.map((f) => {
    const attrs = [`href="${fileHref(f.filename)}${f.sha256 ? `#sha256=${f.sha256}` : ''}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.coreMetadataSha256) {
      // Both names: PEP 714 renamed the attribute, and older pip only reads the first.
      attrs.push(`data-dist-info-metadata="sha256=${f.coreMetadataSha256}"`);
      attrs.push(`data-core-metadata="sha256=${f.coreMetadataSha256}"`);
    }
    if (f.yanked) attrs.push(`data-yanked="${typeof f.yanked === 'string' ? escapeHtml(f.yanked) : ''}"`);
    return `<a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br>`;
  });
  const title = `Links for ${escapeHtml(project.name)}`;
  return (
    '<!DOCTYPE html>\n<html><head>' +
    `<meta name="pypi:repository-version" content="${API_VERSION}">` +
    `<title>${title}</title></head><body>\n<h1>${title}</h1>\n${links.join('\n')}\n</body></html>\n`
  );
}

/** The distinct versions of a project's files, oldest first by PEP 440 ordering. */
export function sortedVersions(files: IndexFile[]): string[] {
  return [...new Set(files.map((f) => f.version))].sort(comparePep440);
}

/** A project's page, as PEP 691 JSON (with PEP 700's versions, sizes and upload times). */
export function renderProjectJson(project: ProjectFiles): object {
  return {
    meta: { 'api-version': API_VERSION },
    name: project.normalized,
    versions: sortedVersions(project.files),
    files: project.files.map((f) => ({
      filename: f.filename,
      url: fileHref(f.filename),
      hashes: f.sha256 ? { sha256: f.sha256 } : {},
      'requires-python': f.requiresPython,
      ...(f.size === null ? {} : { size: f.size }),
      ...(f.uploadedAt ? { 'upload-time': f.uploadedAt } : {}),
      yanked: f.yanked,
      ...(f.coreMetadataSha256
        ? {
            'core-metadata': { sha256: f.coreMetadataSha256 },
            'dist-info-metadata': { sha256: f.coreMetadataSha256 },
          }
        : {}),
    })),
  };
}

/**
 * The version the JSON project API reports as current: the highest that has a file not yanked,
 * a final release over any pre-release when there is one.
 */
export function currentVersion(files: IndexFile[]): string {
  const live = sortedVersions(files.filter((f) => !f.yanked));
  const candidates = live.length ? live : sortedVersions(files);
  const finals = candidates.filter((v) => !explainPep440(v)?.is_prerelease);
  return (finals.length ? finals : candidates).at(-1)!;
}

function fileEntry(f: IndexFile, fileUrl: (filename: string) => string): object {
  return {
    filename: f.filename,
    url: fileUrl(f.filename),
    digests: { sha256: f.sha256, ...(f.md5 ? { md5: f.md5 } : {}) },
    md5_digest: f.md5,
    size: f.size,
    packagetype: f.kind === 'wheel' ? 'bdist_wheel' : 'sdist',
    python_version: f.kind === 'wheel' ? (f.filename.split('-').at(-3) ?? 'py3') : 'source',
    requires_python: f.requiresPython,
    upload_time_iso_8601: f.uploadedAt,
    upload_time: f.uploadedAt.replace(/\.\d+Z$|Z$/, ''),
    yanked: f.yanked !== false,
    yanked_reason: typeof f.yanked === 'string' ? f.yanked : null,
  };
}

/**
 * The JSON project API (`/pypi/{project}/json`, or `/pypi/{project}/{version}/json` with
 * `version`): `info` of the current (or the given) version, every release's files, and `urls`,
 * the files of that version. `fileUrl` makes a file's absolute URL.
 */
export function renderProjectApi(
  project: ProjectFiles,
  fileUrl: (filename: string) => string,
  version?: string,
): object {
  const shown = version ?? currentVersion(project.files);
  const own = project.files.filter((f) => f.version === shown);
  // A wheel's metadata is what installers read, so `info` comes from one when there is one.
  const head = own.find((f) => f.kind === 'wheel') ?? own.at(-1)!;
  const releases: Record<string, object[]> = {};
  for (const v of sortedVersions(project.files)) {
    releases[v] = project.files.filter((f) => f.version === v).map((f) => fileEntry(f, fileUrl));
  }
  return {
    info: {
      name: head.name,
      version: shown,
      summary: head.summary,
      license: head.license || null,
      requires_python: head.requiresPython,
      requires_dist: head.requiresDist.length ? head.requiresDist : null,
      yanked: own.every((f) => f.yanked),
      yanked_reason: null,
    },
    last_serial: project.files.length,
    ...(version ? {} : { releases }),
    urls: own.map((f) => fileEntry(f, fileUrl)),
    vulnerabilities: [],
  };
}
