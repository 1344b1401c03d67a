import type { InputSource } from '../runtime/runtime.js';
import { AuthDefaults, AuthInput } from './names.js';

/** The `auth` step's settings, read and checked once from the inputs. */
export interface AuthSettings {
  /** API root without a trailing slash. */
  apiUrl: string;
  /** Organisation whose OIDC trust to use; set together with `serviceSlug`. */
  org?: string;
  /** Service account to exchange the ID token for. */
  serviceSlug?: string;
  /** `aud` to request in the ID token. */
  audience: string;
  /** A long-lived key used when no OIDC token is available. Already masked. */
  apiKey?: string;
  /** Retries of the ID-token request, the exchange and the check (0–10). */
  retries: number;
  /** Write an `.npmrc` for this repository's npm registry (`npm-repository`, `npmrc`). */
  npm?: NpmrcSettings;
}

/** Which repository's npm registry later steps use, and the `.npmrc` to write it into. */
export interface NpmrcSettings {
  owner: string;
  repo: string;
  /** The file to write; empty for `.npmrc` in the runner's temp folder (exported as npm's user config). */
  path: string;
}

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Checks `npm-repository`: `owner/repo`. */
export function parseNpmRepository(input: string, value: string): { owner: string; repo: string } {
  const [owner, repo, extra] = value.split('/');
  if (!owner || !repo || extra !== undefined || !SLUG.test(owner) || !SLUG.test(repo)) {
    throw new Error(
      `Input ${input}: '${value}' is not a repository; expected owner/repo, such as acme/dev, whose npm registry later steps use.`,
    );
  }
  return { owner, repo };
}

/** Checks an API URL input: an absolute http(s) URL. Returns it without a trailing slash. */
export function parseApiUrl(input: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new Error(
      `Input ${input}: '${value}' is not an API URL; expected an http(s) URL such as https://airlock.example.com or https://airlock.example.com/v1.`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** Checks a retry-count input: a whole number from 0 to `max`. */
export function parseRetries(
  input: string,
  value: string,
  fallback: number,
  max: number = AuthDefaults.MaxRetries,
): number {
  if (value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new Error(
      `Input ${input}: '${value}' is not a retry count; expected a whole number from 0 to ${max}.`,
    );
  }
  return Number(value);
}

/**
 * Reads the `auth` inputs into {@link AuthSettings}, masking `api-key` the moment it is read.
 * Throws a message naming the input and the accepted form when one is wrong: `org` and
 * `service-slug` go together, and without them `api-key` is required.
 */
export function readAuthSettings(runtime: InputSource): AuthSettings {
  const apiKey = runtime.getInput(AuthInput.ApiKey);
  if (apiKey) runtime.setSecret(apiKey);
  const apiUrl = parseApiUrl(AuthInput.ApiUrl, runtime.getInput(AuthInput.ApiUrl, { required: true }));
  const org = runtime.getInput(AuthInput.Org);
  const serviceSlug = runtime.getInput(AuthInput.ServiceSlug);
  if (Boolean(org) !== Boolean(serviceSlug)) {
    const missing = org ? AuthInput.ServiceSlug : AuthInput.Org;
    throw new Error(
      `Input ${missing} is required when ${org ? AuthInput.Org : AuthInput.ServiceSlug} is given: OIDC needs both the organisation and the service account slug.`,
    );
  }
  if (!org && !apiKey) {
    throw new Error(
      `Give either ${AuthInput.Org} and ${AuthInput.ServiceSlug} (OIDC, recommended) or ${AuthInput.ApiKey}: none of them is set.`,
    );
  }
  return {
    apiUrl,
    org: org || undefined,
    serviceSlug: serviceSlug || undefined,
    audience: runtime.getInput(AuthInput.Audience) || AuthDefaults.Audience,
    apiKey: apiKey || undefined,
    retries: parseRetries(AuthInput.Retries, runtime.getInput(AuthInput.Retries), AuthDefaults.Retries),
    npm: readNpmrcSettings(runtime),
  };
}

function readNpmrcSettings(runtime: InputSource): NpmrcSettings | undefined {
  const repository = runtime.getInput(AuthInput.NpmRepository);
  const path = runtime.getInput(AuthInput.Npmrc);
  if (!repository) {
    if (path)
      throw new Error(
        `Input ${AuthInput.Npmrc} needs ${AuthInput.NpmRepository} (owner/repo): which registry to write.`,
      );
    return undefined;
  }
  return { ...parseNpmRepository(AuthInput.NpmRepository, repository), path };
}
