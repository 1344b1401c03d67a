import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { isLoopbackHost } from './issuer-url.js';

/** Where the development issuer listens and which claims its tokens carry beyond the defaults. */
export interface DevIssuerOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Loopback host to listen on (default 127.0.0.1). */
  host?: string;
  /** Claims added to (or replacing) the GitHub Actions defaults in every token. */
  claims?: Record<string, unknown>;
}

/** How one token is signed. */
export interface DevSignOptions {
  /** `kid` header to send instead of the current key's. */
  kid?: string;
  /** RS256 (default), ES256, `none` (unsigned) or HS256/384/512 keyed with the RSA public key's PEM. */
  alg?: string;
  /** Seconds from now to `exp` (default 300); an `exp` claim passed in wins. */
  expiresIn?: number;
}

/** A running development issuer. */
export interface DevIssuer {
  /** The issuer URL (`http://127.0.0.1:PORT`): its `iss`, and where discovery lives. */
  issuer: string;
  /** Signs a token with GitHub Actions' claim set, the start options' claims, then `claims` (an undefined value drops a claim). */
  sign(claims: Record<string, unknown>, opts?: DevSignOptions): Promise<string>;
  /** GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL` equivalent (already has a query string). */
  actionsTokenUrl: string;
  /** GitHub's `ACTIONS_ID_TOKEN_REQUEST_TOKEN` equivalent: the bearer the token endpoint wants. */
  actionsToken: string;
  /** Replaces the signing keys (new `kid`s); the key set then publishes only the new ones. */
  rotateKey(): Promise<void>;
  close(): Promise<void>;
}

interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

const TOKEN_PATH = '/_apis/actions/idtoken';
const JWKS_PATH = '/.well-known/jwks';

/**
 * Starts a local OIDC issuer on loopback for tests and demos: it holds an RSA (and an EC) key,
 * serves `/.well-known/openid-configuration` and its key set, signs tokens with the claims GitHub
 * Actions puts in its ID tokens, and answers as GitHub's ID-token endpoint does
 * (`GET actionsTokenUrl&audience=…` with `Authorization: Bearer actionsToken` → `{"value": jwt}`).
 */
export async function startDevIssuer(options: DevIssuerOptions = {}): Promise<DevIssuer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host))
    throw new Error(`The development issuer listens on loopback only, not '${host}'.`);
  let rsa = await newKeyPair('RS256');
  let ec = await newKeyPair('ES256');
  const actionsToken = crypto.randomBytes(24).toString('base64url');
  const sha = crypto.randomBytes(20).toString('hex');
  let issuer = '';

  const sign = async (claims: Record<string, unknown>, opts: DevSignOptions = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      ...githubActionsClaims(issuer, sha, now, opts.expiresIn ?? 300),
      ...options.claims,
      ...claims,
    };
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
    const alg = opts.alg ?? 'RS256';
    if (alg === 'none') {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    }
    const jwt = new SignJWT(payload);
    if (alg === 'RS256')
      return jwt.setProtectedHeader({ alg, typ: 'JWT', kid: opts.kid ?? rsa.kid }).sign(rsa.privateKey);
    if (alg === 'ES256')
      return jwt.setProtectedHeader({ alg, typ: 'JWT', kid: opts.kid ?? ec.kid }).sign(ec.privateKey);
    if (/^HS(256|384|512)$/.test(alg)) {
      // The classic confusion attack: an HMAC whose secret is the issuer's public key.
      const header = { alg, typ: 'JWT', kid: opts.kid ?? rsa.kid };
      return jwt.setProtectedHeader(header).sign(new TextEncoder().encode(rsa.publicPem));
    }
    throw new Error(`The development issuer cannot sign with '${alg}'.`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer || 'http://localhost');
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { message: 'Method not allowed' });
    if (url.pathname === '/.well-known/openid-configuration') return send(200, discoveryDocument(issuer));
    if (url.pathname === JWKS_PATH) return send(200, { keys: [rsa.publicJwk, ec.publicJwk] });
    if (url.pathname === TOKEN_PATH) {
      if (!bearerMatches(req.headers.authorization, actionsToken))
        return send(401, { message: 'Unauthorized' });
      const owner = String((options.claims?.repository_owner as string | undefined) ?? 'owner');
      const audience = url.searchParams.get('audience') || `https://github.com/${owner}`;
      sign({ aud: audience }).then(
        (value) => send(200, { count: 2000, value }),
        (err: unknown) => send(500, { message: String(err) }),
      );
      return;
    }
    send(404, { message: 'Not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  issuer = `http://${host.includes(':') ? `[${host.replace(/^\[|\]$/g, '')}]` : host}:${port}`;

  return {
    issuer,
    sign,
    actionsTokenUrl: `${issuer}${TOKEN_PATH}?api-version=2.0`,
    actionsToken,
    async rotateKey() {
      rsa = await newKeyPair('RS256');
      ec = await newKeyPair('ES256');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function newKeyPair(alg: 'RS256' | 'ES256'): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = crypto.randomBytes(8).toString('hex');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

function githubActionsClaims(
  issuer: string,
  sha: string,
  now: number,
  expiresIn: number,
): Record<string, unknown> {
  const workflowRef = 'owner/repo/.github/workflows/ci.yml@refs/heads/main';
  return {
    jti: crypto.randomUUID(),
    sub: 'repo:owner/repo:ref:refs/heads/main',
    aud: 'airlock',
    ref: 'refs/heads/main',
    sha,
    repository: 'owner/repo',
    repository_owner: 'owner',
    repository_owner_id: '1000',
    repository_id: '2000',
    repository_visibility: 'private',
    run_id: '3000',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '4000',
    workflow: 'CI',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    head_ref: '',
    base_ref: '',
    event_name: 'push',
    ref_type: 'branch',
    ref_protected: 'false',
    runner_environment: 'github-hosted',
    iss: issuer,
    nbf: now - 5,
    iat: now,
    exp: now + expiresIn,
  };
}

function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    subject_types_supported: ['public', 'pairwise'],
    response_types_supported: ['id_token'],
    claims_supported: [
      'sub',
      'aud',
      'exp',
      'iat',
      'iss',
      'jti',
      'nbf',
      'ref',
      'repository',
      'repository_owner',
      'run_id',
      'run_attempt',
      'actor',
      'workflow',
      'sha',
      'event_name',
      'job_workflow_ref',
    ],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    scopes_supported: ['openid'],
  };
}

function bearerMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const want = Buffer.from(expected);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}
