import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { npmTarball } from '../../fixtures/packages/archives.js';
import type { TestServer } from '../../helpers/server.js';

/** A registry response: status, parsed JSON body (or text) and headers. */
export interface NpmResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the npm registry of `owner/repo` with a bearer token (or none), as the npm client does. */
export async function npmCall<T = Record<string, unknown>>(
  server: TestServer,
  repo: string,
  method: string,
  path: string,
  options: {
    token?: string | null;
    body?: unknown;
    raw?: Buffer | string;
    headers?: Record<string, string>;
  } = {},
): Promise<NpmResponse<T>> {
  const token = options.token === undefined ? server.adminKey : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['Content-Type'] ??= 'application/json';
  const res = await fetch(`${server.url}/npm/${server.org}/${repo}/${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a tarball or an empty body
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** The publish body npm sends for one version, with the tarball's real integrity unless overridden. */
export async function publishBody(
  name: string,
  version: string,
  options: {
    manifest?: Record<string, unknown>;
    tarball?: Buffer;
    tag?: string;
    integrity?: string;
  } = {},
): Promise<{ body: Record<string, unknown>; tarball: Buffer }> {
  const manifest = { name, version, description: `${name} for tests`, license: 'MIT', ...options.manifest };
  const tarball = options.tarball ?? (await npmTarball(manifest));
  const integrity =
    options.integrity ?? `sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`;
  const shasum = crypto.createHash('sha1').update(tarball).digest('hex');
  const file = `${name}-${version}.tgz`;
  return {
    tarball,
    body: {
      _id: name,
      name,
      description: manifest.description,
      'dist-tags': { [options.tag ?? 'latest']: version },
      versions: {
        [version]: {
          ...manifest,
          _id: `${name}@${version}`,
          dist: { integrity, shasum, tarball: `http://x/${file}` },
        },
      },
      access: null,
      _attachments: {
        [file]: {
          content_type: 'application/octet-stream',
          data: tarball.toString('base64'),
          length: tarball.length,
        },
      },
    },
  };
}

/** Publishes `name@version` through the registry; returns the response. */
export async function publish(
  server: TestServer,
  repo: string,
  name: string,
  version: string,
  options: Parameters<typeof publishBody>[2] & { token?: string | null } = {},
): Promise<NpmResponse> {
  const { body } = await publishBody(name, version, options);
  return npmCall(server, repo, 'PUT', escapedName(name), { body, token: options.token });
}

/** A name as npm puts it in a path: `@scope%2fname`. */
export function escapedName(name: string): string {
  return name.replace('/', '%2f');
}

/** A gzipped JSON body, as `npm audit` posts it. */
export function gzipJson(value: unknown): Buffer {
  return zlib.gzipSync(Buffer.from(JSON.stringify(value)));
}
