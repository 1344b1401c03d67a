import type { IncomingHttpHeaders } from 'node:http';
import { Transport, type TransportOptions } from './http.js';
import { uploadFile, type UploadedFile, type UploadOptions } from './upload.js';
import type {
  OidcExchangeResponse,
  Package,
  PackageQuery,
  PackageCopyRequest,
  PackageMoveRequest,
  PackageQuarantineRequest,
  PackageStatus,
  PackageTagRequest,
  Page,
  UserSelf,
  VulnerabilityScanResults,
  VulnerabilityScanResultsList,
} from './types.js';

/** Options of {@link RepositoryClient}: where the API is, the credential, retries and timings. */
export type ClientOptions = TransportOptions;

/** A short-lived repository token from an OIDC exchange. */
export interface ExchangedToken {
  token: string;
  /** When the token stops working, if the server or the token itself says. */
  expiresAt?: Date;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/**
 * The repository API (Cloudsmith v1 shapes) with typed answers.
 *
 * Retries: every call retries network failures, 408, 429 (after `Retry-After`) and 5xx with
 * exponential backoff and full jitter, up to `retries` times — but a POST that is not known to be
 * idempotent is retried only when it cannot have been processed (connection refused, 429).
 * POSTs documented idempotent here, and so retried like reads:
 *
 * | call | why repeating is harmless |
 * | --- | --- |
 * | `exchangeOidc` | each exchange issues an independent token; a lost answer only wastes one |
 * | `uploadFile`'s `POST /files/…/` | an unused upload slot expires |
 * | `tagPackage` | adding, removing or replacing the same tags twice ends in the same state |
 *
 * Not retried once they may have reached the server: `createPackage`, `copyPackage`,
 * `movePackage`, `quarantinePackage` and the multipart `complete` call.
 */
export class RepositoryClient {
  readonly transport: Transport;

  constructor(options: ClientOptions) {
    this.transport = new Transport(options);
  }

  /** The API root this client talks to. */
  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** `GET /user/self/`: who the credential belongs to (`authenticated: false` when anonymous). */
  async whoami(): Promise<UserSelf> {
    return (await this.transport.call<UserSelf>({ method: 'GET', path: '/user/self/' })).data;
  }

  /**
   * `POST /openid/{org}/`: exchanges a CI OIDC token for a short-lived repository token. Retries
   * network failures, 429 and 5xx only; any other refusal fails at once with the server's detail.
   */
  async exchangeOidc(
    org: string,
    oidcToken: string,
    serviceSlug: string,
    options: { retries?: number } = {},
  ): Promise<ExchangedToken> {
    const { data } = await this.transport.call<Partial<OidcExchangeResponse>>({
      method: 'POST',
      path: `/openid/${enc(org)}/`,
      json: { oidc_token: oidcToken, service_slug: serviceSlug },
      idempotent: true,
      retryStatus: (status) => status === 429 || status >= 500,
      retries: options.retries,
    });
    if (!data || typeof data.token !== 'string' || data.token === '') {
      throw new Error(`POST /openid/${org}/: the answer carries no token.`);
    }
    const expiresAt = data.token_expires_at ? new Date(data.token_expires_at) : jwtExpiry(data.token);
    return {
      token: data.token,
      expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined,
    };
  }

  /** Streams a file to the repository; see {@link uploadFile}. */
  async uploadFile(
    owner: string,
    repo: string,
    file: string,
    options?: UploadOptions,
  ): Promise<UploadedFile> {
    return uploadFile(this.transport, owner, repo, file, options);
  }

  /** `POST /packages/{owner}/{repo}/upload/{format}/` with `package_file` and the format's fields. */
  async createPackage(
    owner: string,
    repo: string,
    format: string,
    body: Record<string, unknown>,
  ): Promise<Package> {
    const path = `/packages/${enc(owner)}/${enc(repo)}/upload/${enc(format)}/`;
    return (await this.transport.call<Package>({ method: 'POST', path, json: body })).data;
  }

  /** `GET /packages/{owner}/{repo}/{identifier}/`. */
  async getPackage(owner: string, repo: string, identifier: string): Promise<Package> {
    return (await this.transport.call<Package>({ method: 'GET', path: packagePath(owner, repo, identifier) }))
      .data;
  }

  /**
   * `GET …/{identifier}/status/`; with `wait` the server may hold the answer up to that many
   * seconds until the status changes (the socket timeout is raised to match).
   */
  async getPackageStatus(
    owner: string,
    repo: string,
    identifier: string,
    options: { wait?: number } = {},
  ): Promise<PackageStatus> {
    const { data } = await this.transport.call<PackageStatus>({
      method: 'GET',
      path: `${packagePath(owner, repo, identifier)}status/`,
      query: { wait: options.wait },
      timeoutMs: options.wait ? (options.wait + 30) * 1000 : undefined,
    });
    return data;
  }

  /** `GET /packages/{owner}/{repo}/` with a search query; one page and its paging headers. */
  async listPackages(owner: string, repo: string, query: PackageQuery = {}): Promise<Page<Package>> {
    const reply = await this.transport.call<Package[]>({
      method: 'GET',
      path: `/packages/${enc(owner)}/${enc(repo)}/`,
      query: { query: query.query, sort: query.sort, page: query.page, page_size: query.pageSize },
    });
    return readPage(reply.data ?? [], reply.headers, query);
  }

  /** `POST …/{identifier}/copy/`: the new copy in `destination`. */
  async copyPackage(
    owner: string,
    repo: string,
    identifier: string,
    body: PackageCopyRequest,
  ): Promise<Package> {
    const path = `${packagePath(owner, repo, identifier)}copy/`;
    return (await this.transport.call<Package>({ method: 'POST', path, json: body })).data;
  }

  /** `POST …/{identifier}/move/`: the package, now in `destination`. */
  async movePackage(
    owner: string,
    repo: string,
    identifier: string,
    body: PackageMoveRequest,
  ): Promise<Package> {
    const path = `${packagePath(owner, repo, identifier)}move/`;
    return (await this.transport.call<Package>({ method: 'POST', path, json: body })).data;
  }

  /** `POST …/{identifier}/tag/`. */
  async tagPackage(
    owner: string,
    repo: string,
    identifier: string,
    body: PackageTagRequest,
  ): Promise<Package> {
    const path = `${packagePath(owner, repo, identifier)}tag/`;
    return (await this.transport.call<Package>({ method: 'POST', path, json: body, idempotent: true })).data;
  }

  /** `POST …/{identifier}/quarantine/`; `{release: true}` releases it. */
  async quarantinePackage(
    owner: string,
    repo: string,
    identifier: string,
    body: PackageQuarantineRequest = {},
  ): Promise<Package> {
    const path = `${packagePath(owner, repo, identifier)}quarantine/`;
    return (await this.transport.call<Package>({ method: 'POST', path, json: body })).data;
  }

  /** `GET /vulnerabilities/{owner}/{repo}/{package}/`: scan results of a package, newest first. */
  async listVulnerabilities(owner: string, repo: string, pkg: string): Promise<VulnerabilityScanResultsList> {
    const path = `/vulnerabilities/${enc(owner)}/${enc(repo)}/${enc(pkg)}/`;
    return (await this.transport.call<VulnerabilityScanResultsList>({ method: 'GET', path })).data ?? [];
  }

  /** `GET /vulnerabilities/{owner}/{repo}/{package}/{identifier}/`: one scan with every finding. */
  async getVulnerabilities(
    owner: string,
    repo: string,
    pkg: string,
    identifier: string,
  ): Promise<VulnerabilityScanResults> {
    const path = `/vulnerabilities/${enc(owner)}/${enc(repo)}/${enc(pkg)}/${enc(identifier)}/`;
    return (await this.transport.call<VulnerabilityScanResults>({ method: 'GET', path })).data;
  }
}

function packagePath(owner: string, repo: string, identifier: string): string {
  return `/packages/${enc(owner)}/${enc(repo)}/${enc(identifier)}/`;
}

function header(headers: IncomingHttpHeaders, name: string): number | undefined {
  const value = headers[name];
  const n = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isFinite(n) ? n : undefined;
}

function readPage<T>(items: T[], headers: IncomingHttpHeaders, query: PackageQuery): Page<T> {
  const page = header(headers, 'x-pagination-page') ?? query.page ?? 1;
  return {
    items,
    page,
    pageSize: header(headers, 'x-pagination-pagesize') ?? query.pageSize ?? items.length,
    pageTotal: header(headers, 'x-pagination-pagetotal') ?? page,
    count: header(headers, 'x-pagination-count') ?? items.length,
  };
}

/** The `exp` of a JWT, read without verifying it (only to know when to refresh). */
export function jwtExpiry(token: string): Date | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
