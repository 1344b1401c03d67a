import { AuthInput } from '../config/names.js';
import { readAuthSettings } from '../config/auth.js';
import type { AuthResult } from '../steps/auth.js';
import { readSettings, type CommandContext } from './command.js';
import { actionInputs, inputFlag, OIDC_TOKEN_FILE_FLAG, type FlagSpec } from './flags.js';

const NPMRC_INPUTS: ReadonlySet<string> = new Set([AuthInput.NpmRepository, AuthInput.Npmrc]);

/**
 * Flags of a subcommand that authenticates by itself: the `auth` action's inputs (as CLI flags)
 * and `--oidc-token-file`. Each CLI run is its own process (a Jenkins `sh` step), so a token from
 * an earlier `airlock auth` is not around: each subcommand exchanges its own.
 */
export function authFlags(): FlagSpec[] {
  return [
    ...actionInputs('auth')
      // Writing an .npmrc is the auth step's own business, not every subcommand's.
      .filter((input) => !NPMRC_INPUTS.has(input.name))
      .map((input) => ({ ...inputFlag(input), source: 'cli' as const })),
    OIDC_TOKEN_FILE_FLAG,
  ];
}

/**
 * Before a step that talks to the repository: when `org` and `service-slug` are set, runs the
 * `auth` step (OIDC exchange, masked, checked) and hands its token to the step as `api-key`;
 * otherwise the step uses `api-key` (flag or `AIRLOCK_API_KEY`) as it is.
 */
export async function authenticateIfAsked(ctx: CommandContext): Promise<AuthResult | undefined> {
  const { runtime } = ctx;
  if (!runtime.getInput(AuthInput.Org) && !runtime.getInput(AuthInput.ServiceSlug)) return undefined;
  const settings = await readSettings(() => readAuthSettings(runtime));
  // The HTTP client loads once the credentials' inputs have been read and checked.
  const { authenticate } = await import('../steps/auth.js');
  const result = await authenticate(runtime, settings, ctx.deps);
  ctx.inputs[AuthInput.ApiKey] = result.token;
  return result;
}

/** What the JSON result says about an authentication: never the token. */
export function describeAuth(result: AuthResult): Record<string, unknown> {
  return {
    method: result.method,
    identity: { slug: result.identity.slug, name: result.identity.name },
    ...(result.expiresAt ? { expiresAt: result.expiresAt.toISOString() } : {}),
  };
}
