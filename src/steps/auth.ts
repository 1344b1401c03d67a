import { RepositoryClient, type ExchangedToken } from '../client/client.js';
import { ApiError } from '../client/errors.js';
import type { RetryTiming } from '../client/retry.js';
import type { UserSelf } from '../client/types.js';
import type { AuthSettings } from '../config/auth.js';
import { AuthDefaults, AuthEnv, AuthOutput } from '../config/names.js';
import { IdTokenUnavailableError, type Runtime } from '../runtime/runtime.js';
import { writeNpmrc } from './npmrc.js';
import { describeRetry, getIdTokenWithRetries } from './retry.js';

/** Injected timings and clock, so tests neither sleep nor depend on the hour. */
export interface AuthDeps {
  timing?: RetryTiming;
  now?: () => number;
  /** Time allowed for one ID-token request. Default 30 000 ms. */
  idTokenTimeoutMs?: number;
}

/** What the `auth` step established. */
export interface AuthResult {
  /** The repository credential, already masked. */
  token: string;
  expiresAt?: Date;
  method: 'oidc' | 'api-key';
  identity: UserSelf;
}

/** What an OIDC exchange needs. */
export interface ExchangeSettings {
  apiUrl: string;
  org: string;
  serviceSlug: string;
  audience: string;
  retries: number;
}

/**
 * Gets the CI's ID token (retrying network failures, 5xx and timeouts) and exchanges it for a
 * repository token (retrying network failures, 5xx and 429; any other refusal fails at once with
 * the server's detail). Both tokens are masked the moment they exist.
 */
export async function exchangeIdToken(
  runtime: Runtime,
  settings: ExchangeSettings,
  deps: AuthDeps = {},
): Promise<ExchangedToken> {
  const idToken = await getIdTokenWithRetries(runtime, settings.audience, settings.retries, deps);
  runtime.setSecret(idToken);
  const client = new RepositoryClient({
    baseUrl: settings.apiUrl,
    retries: settings.retries,
    timing: deps.timing,
    now: deps.now,
    onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
  });
  let exchanged: ExchangedToken;
  try {
    exchanged = await client.exchangeOidc(settings.org, idToken, settings.serviceSlug);
  } catch (err) {
    if (err instanceof ApiError && err.status < 500 && err.status !== 429) {
      throw new Error(
        `The repository refused the OIDC exchange for org '${settings.org}' and service '${settings.serviceSlug}': ${err.message}. ` +
          'Check that the organisation trusts this issuer with claims that match this workflow, that the ' +
          `service account is attached to that provider, and that its audience is '${settings.audience}'.`,
        { cause: err },
      );
    }
    throw err;
  }
  runtime.setSecret(exchanged.token);
  return exchanged;
}

/**
 * The `auth` step: OIDC exchange when `org` and `service-slug` are set (falling back to
 * `api-key` only when the CI offers no ID token), then masks the token, checks it with
 * `GET /user/self/`, sets the outputs and exports what later steps need.
 */
export async function authenticate(
  runtime: Runtime,
  settings: AuthSettings,
  deps: AuthDeps = {},
): Promise<AuthResult> {
  let token: string;
  let expiresAt: Date | undefined;
  let method: AuthResult['method'] = 'api-key';
  if (settings.org && settings.serviceSlug) {
    try {
      ({ token, expiresAt } = await exchangeIdToken(
        runtime,
        { ...settings, org: settings.org, serviceSlug: settings.serviceSlug },
        deps,
      ));
      method = 'oidc';
    } catch (err) {
      if (!(err instanceof IdTokenUnavailableError && settings.apiKey)) throw err;
      runtime.warning(`${err.message.split('. ')[0]}. Using the api-key input instead of OIDC.`);
      token = settings.apiKey;
    }
  } else if (settings.apiKey) {
    token = settings.apiKey;
  } else {
    throw new Error('Nothing to authenticate with: give org and service-slug (OIDC) or api-key.');
  }
  runtime.setSecret(token);

  const identity = await verifyToken(runtime, settings.apiUrl, token, settings.retries, deps);
  const expiry = expiresAt?.toISOString() ?? '';
  runtime.setOutput(AuthOutput.Token, token);
  runtime.setOutput(AuthOutput.ExpiresAt, expiry);
  runtime.exportVariable(AuthEnv.ApiUrl, settings.apiUrl);
  runtime.exportVariable(AuthEnv.ApiKey, token);
  runtime.exportVariable(AuthEnv.TokenExpiresAt, expiry);
  if (method === 'oidc') {
    runtime.exportVariable(AuthEnv.Org, settings.org ?? '');
    runtime.exportVariable(AuthEnv.ServiceSlug, settings.serviceSlug ?? '');
    runtime.exportVariable(AuthEnv.Audience, settings.audience);
  }
  if (settings.npm) await writeNpmrc(runtime, settings.apiUrl, settings.npm);
  const who = identity.slug ?? identity.name ?? 'an unnamed account';
  runtime.info(
    method === 'oidc'
      ? `Authenticated to ${settings.apiUrl} as ${who} through OIDC; the token expires ${expiry || 'when the server says'}.`
      : `Authenticated to ${settings.apiUrl} as ${who} with an API key.`,
  );
  return { token, expiresAt, method, identity };
}

/** Checks a credential with `GET /user/self/`; throws unless the repository knows it. */
export async function verifyToken(
  runtime: Runtime,
  apiUrl: string,
  token: string,
  retries: number = AuthDefaults.Retries,
  deps: AuthDeps = {},
): Promise<UserSelf> {
  const client = new RepositoryClient({
    baseUrl: apiUrl,
    apiKey: token,
    retries,
    timing: deps.timing,
    now: deps.now,
    onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
  });
  const self = await client.whoami();
  if (!self?.authenticated) {
    throw new Error(
      `The repository at ${apiUrl} did not accept the token: GET /user/self/ says it is not authenticated.`,
    );
  }
  return self;
}

/** The API and credential a later step uses. */
export interface ClientSettings {
  apiUrl: string;
  apiKey: string;
  retries?: number;
}

/** A token with less than this left is exchanged again before use. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * For steps that run after `auth`: when `settings.apiKey` is the token `auth` exported and it has
 * under five minutes left, exchanges a new ID token (the same path as `auth`), masks it, exports
 * it in place of the old one and returns the settings with it. Any other credential (a key given
 * explicitly, a token without a known expiry) is returned unchanged.
 */
export async function ensureFreshToken(
  runtime: Runtime,
  settings: ClientSettings,
  deps: AuthDeps = {},
): Promise<ClientSettings> {
  if (settings.apiKey !== runtime.getEnv(AuthEnv.ApiKey)) return settings;
  const expiry = Date.parse(runtime.getEnv(AuthEnv.TokenExpiresAt) ?? '');
  if (Number.isNaN(expiry)) return settings;
  const left = expiry - (deps.now ?? Date.now)();
  if (left >= REFRESH_MARGIN_MS) return settings;
  const org = runtime.getEnv(AuthEnv.Org);
  const serviceSlug = runtime.getEnv(AuthEnv.ServiceSlug);
  if (!org || !serviceSlug) {
    runtime.warning(
      `The repository token expires in ${Math.max(0, Math.round(left / 1000))} s and cannot be renewed: ${AuthEnv.Org} and ${AuthEnv.ServiceSlug} are not set (run the auth action with OIDC).`,
    );
    return settings;
  }
  const { token, expiresAt } = await exchangeIdToken(
    runtime,
    {
      apiUrl: settings.apiUrl,
      org,
      serviceSlug,
      audience: runtime.getEnv(AuthEnv.Audience) || AuthDefaults.Audience,
      retries: settings.retries ?? AuthDefaults.Retries,
    },
    deps,
  );
  runtime.exportVariable(AuthEnv.ApiKey, token);
  runtime.exportVariable(AuthEnv.TokenExpiresAt, expiresAt?.toISOString() ?? '');
  runtime.info(`Renewed the repository token (${Math.max(0, Math.round(left / 1000))} s were left).`);
  return { ...settings, apiKey: token };
}

/**
 * A credential source for a client that may outlive the token (a long wait for a scan): each
 * call returns the current token, renewing it through {@link ensureFreshToken} when it is about
 * to expire. Concurrent calls share one renewal.
 */
export function freshTokenSource(
  runtime: Runtime,
  settings: ClientSettings,
  deps: AuthDeps = {},
): () => Promise<string> {
  let current = settings;
  let pending: Promise<ClientSettings> | undefined;
  return async () => {
    pending ??= ensureFreshToken(runtime, current, deps).finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current.apiKey;
  };
}
