import type { FileUpload } from '../../../src/api/files.js';
import type { DevIssuer } from '../../../src/server/oidc/dev-issuer.js';
import {
  buildPrincipals,
  uniqueName,
  type AccessFixture,
  type ApiResponse,
  type RepoOptions,
} from '../../helpers/principals.js';
import type { TestServer } from '../../helpers/server.js';

/** Values for the `{placeholders}` of a row's endpoint and body. */
export type Vars = Record<string, string>;

/** A package as the matrix refers to it. */
export interface PackageRef {
  /** Its `slug_perm`. */
  id: string;
  filename: string;
}

/** A policy kind and the path segment it lives under. */
export type PolicyKind = 'vulnerability' | 'license' | 'deny';

/** Upload methods the matrix uses. */
export type UploadMethod = 'put' | 'post' | 'put_parts' | 'unsigned_put';

/**
 * The principals of the access matrix plus the objects its rows act on: shared read-only ones
 * (in {@link MatrixFixture.vars}) and makers of fresh ones, all made by the org Manager.
 */
export interface MatrixFixture extends AccessFixture {
  /**
   * Placeholders for the shared objects: `pkg`/`file` (a scanned package of `repo`) and its
   * `scan`; `public`, `publicPkg`, `publicFile`, `publicScan` (the same in a Public repository);
   * `hook` (a webhook of `repo`); `vulnerabilityPolicy`, `licensePolicy`, `denyPolicy`;
   * `provider` (the OIDC provider `read` can exchange tokens under) and `issuer` (its URL).
   */
  vars: Vars;
  /** Requests an upload of `repo`; `send: 'bytes'` sends its whole body, `'part'` its part 1. */
  createUpload(
    repo: string,
    method: UploadMethod,
    send?: 'bytes' | 'part',
  ): Promise<FileUpload & { query: string }>;
  /** A new raw package in `repo`, named `name` (default: a fresh name). */
  createPackage(repo: string, name?: string): Promise<PackageRef>;
  /** Waits (up to 30 s) for a package's security scan; returns the id of its newest scan. */
  scanOf(repo: string, pkg: string): Promise<string>;
  /** A new inactive webhook of `repo`; returns its slug_perm. */
  createWebhook(repo: string): Promise<string>;
  /** A new policy of `kind` that matches no package; returns its slug_perm. */
  createPolicy(kind: PolicyKind): Promise<string>;
  /** A new, disabled OIDC provider for the matrix's issuer; returns its slug_perm. */
  createProvider(): Promise<string>;
  /** A fresh OIDC token from the issuer that the exchange accepts for `read`. */
  signOidcToken(): Promise<string>;
  /** Exchanges a fresh OIDC token for `read`; returns the exchanged token's slug_perm. */
  exchangeToken(): Promise<string>;
}

/** Body of the policies the matrix makes: none of them matches a package. */
export function policyBody(kind: PolicyKind, unique: string): Record<string, unknown> {
  const common = { name: unique, package_query_string: `name:none-${unique}` };
  if (kind === 'vulnerability') return { ...common, min_severity: 'Critical' };
  if (kind === 'license') return { ...common, spdx_identifiers: ['GPL-3.0-only'] };
  return { ...common, enabled: false };
}

/** Body of the OIDC providers the matrix makes (disabled, so the exchange never picks them). */
export function providerBody(issuer: string, unique: string, service: string): Record<string, unknown> {
  return {
    name: unique,
    enabled: false,
    provider_url: issuer,
    claims: { repository: `owner/${unique}` },
    service_accounts: [service],
  };
}

async function expectOk<T>(res: Promise<ApiResponse<T>>, status: number, what: string): Promise<T> {
  const r = await res;
  if (r.status !== status)
    throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * Builds the principals (see buildPrincipals) and the shared objects of the access matrix in
 * `server`, which must accept loopback OIDC issuers so that `issuer` can be trusted.
 */
export async function buildMatrixFixture(server: TestServer, issuer: DevIssuer): Promise<MatrixFixture> {
  const f = await buildPrincipals(server);
  const { org } = f;
  const asManager = <T>(method: string, path: string, body?: unknown, payload?: 'bytes') =>
    f.call<T>('manager', method, path, body, payload);

  const createUpload: MatrixFixture['createUpload'] = async (repo, method, send) => {
    const granted = await expectOk(
      asManager<FileUpload>('POST', `/files/${org}/${repo}/`, { filename: `${uniqueName('f')}.txt`, method }),
      202,
      'requesting an upload',
    );
    const query = granted.upload_querystring ?? '';
    const id = granted.identifier;
    if (send === 'bytes')
      await expectOk(asManager('PUT', `/uploads/${id}?${query}`, `bytes of ${id}`, 'bytes'), 200, 'sending');
    if (send === 'part') {
      const part = `/uploads/${id}?upload_id=${id}&part_number=1`;
      await expectOk(asManager('PUT', part, `part of ${id}`, 'bytes'), 200, 'sending a part');
    }
    return { ...granted, query };
  };

  const createPackage: MatrixFixture['createPackage'] = async (repo, name = uniqueName('pkg')) => {
    const upload = await createUpload(repo, 'put', 'bytes');
    const pkg = await expectOk(
      asManager<{ slug_perm: string; filename: string }>('POST', `/packages/${org}/${repo}/upload/raw/`, {
        package_file: upload.identifier,
        name,
        version: '1.0.0',
      }),
      201,
      'creating a package',
    );
    return { id: pkg.slug_perm, filename: pkg.filename };
  };

  const scanOf: MatrixFixture['scanOf'] = async (repo, pkg) => {
    await expectOk(asManager('GET', `/packages/${org}/${repo}/${pkg}/status/?wait=30`), 200, 'waiting');
    const scans = await expectOk(
      asManager<{ identifier: string }[]>('GET', `/vulnerabilities/${org}/${repo}/${pkg}/`),
      200,
      'listing scans',
    );
    if (!scans[0]) throw new Error(`package ${pkg} was not scanned within 30 s`);
    return scans[0].identifier;
  };

  const createWebhook: MatrixFixture['createWebhook'] = async (repo) =>
    (
      await expectOk(
        asManager<{ slug_perm: string }>('POST', `/webhooks/${org}/${repo}/`, {
          // Nothing listens on the discard port: deliveries fail at once and harm nothing.
          target_url: `http://127.0.0.1:9/${uniqueName('hook')}`,
          events: ['package.synced'],
          is_active: false,
        }),
        201,
        'creating a webhook',
      )
    ).slug_perm;

  const createPolicy: MatrixFixture['createPolicy'] = async (kind) =>
    (
      await expectOk(
        asManager<{ slug_perm: string }>(
          'POST',
          `/orgs/${org}/${kind}-policy/`,
          policyBody(kind, uniqueName('p')),
        ),
        201,
        `creating a ${kind} policy`,
      )
    ).slug_perm;

  const createProvider: MatrixFixture['createProvider'] = async () =>
    (
      await expectOk(
        asManager<{ slug_perm: string }>(
          'POST',
          `/orgs/${org}/openid-connect/`,
          providerBody(issuer.issuer, uniqueName('oidc'), f.slugs.read),
        ),
        201,
        'creating an OIDC provider',
      )
    ).slug_perm;

  // The one enabled provider: it accepts the issuer's default claims for `read`.
  const provider = (
    await expectOk(
      asManager<{ slug_perm: string }>('POST', `/orgs/${org}/openid-connect/`, {
        name: uniqueName('ci'),
        enabled: true,
        provider_url: issuer.issuer,
        claims: { repository: 'owner/repo' },
        service_accounts: [f.slugs.read],
      }),
      201,
      'trusting the issuer',
    )
  ).slug_perm;
  const signOidcToken = (): Promise<string> => issuer.sign({});
  const exchangeToken: MatrixFixture['exchangeToken'] = async () => {
    await expectOk(
      f.call('anonymous', 'POST', `/openid/${org}/`, {
        oidc_token: await signOidcToken(),
        service_slug: f.slugs.read,
      }),
      200,
      'exchanging an OIDC token',
    );
    const [newest] = await expectOk(
      asManager<{ slug_perm: string }[]>('GET', `/orgs/${org}/openid-connect/tokens/?page_size=1`),
      200,
      'listing tokens',
    );
    return newest!.slug_perm;
  };

  const pkg = await createPackage(f.repo);
  const publicRepo = await f.createRepo({ public: true });
  const publicPkg = await createPackage(publicRepo);
  const vars: Vars = {
    pkg: pkg.id,
    file: pkg.filename,
    scan: await scanOf(f.repo, pkg.id),
    public: publicRepo,
    publicPkg: publicPkg.id,
    publicFile: publicPkg.filename,
    publicScan: await scanOf(publicRepo, publicPkg.id),
    hook: await createWebhook(f.repo),
    vulnerabilityPolicy: await createPolicy('vulnerability'),
    licensePolicy: await createPolicy('license'),
    denyPolicy: await createPolicy('deny'),
    provider,
    issuer: issuer.issuer,
  };
  return {
    ...f,
    vars,
    createUpload,
    createPackage,
    scanOf,
    createWebhook,
    createPolicy,
    createProvider,
    signOidcToken,
    exchangeToken,
  };
}

/** Options for {@link MatrixFixture.createRepo}: every member principal holding `privilege`. */
export function everyone(privilege: 'Write' | 'Admin'): RepoOptions {
  return { grants: { read: privilege, write: privilege, admin: privilege } };
}
