import { AuthDefaults, AuthInput } from '../../config/names.js';
import { parseApiUrl, parseRetries } from '../../config/auth.js';
import { UsageError } from '../args.js';
import { readSettings, type Command } from '../command.js';
import { authenticateIfAsked, describeAuth } from '../credentials.js';
import { buildFlags, OIDC_TOKEN_FILE_FLAG } from '../flags.js';

/** `airlock whoami`: who the given credential (API key, or OIDC exchange) acts as. */
export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'print who the credential (API key or OIDC exchange) acts as in the repository',
  action: 'auth',
  flags: buildFlags('auth', [OIDC_TOKEN_FILE_FLAG]),
  async run(ctx) {
    const { runtime } = ctx;
    const auth = await authenticateIfAsked(ctx);
    if (auth) {
      return {
        exitCode: 0,
        summary: auth.identity.slug ?? auth.identity.name ?? '',
        result: describeAuth(auth),
      };
    }
    const { apiUrl, apiKey, retries } = await readSettings(() => ({
      apiUrl: parseApiUrl(AuthInput.ApiUrl, runtime.getInput(AuthInput.ApiUrl, { required: true })),
      apiKey: runtime.getInput(AuthInput.ApiKey),
      retries: parseRetries(AuthInput.Retries, runtime.getInput(AuthInput.Retries), AuthDefaults.Retries),
    }));
    if (!apiKey) {
      throw new UsageError(
        `Give --${AuthInput.ApiKey} (or AIRLOCK_API_KEY), or --${AuthInput.Org} and --${AuthInput.ServiceSlug} for OIDC: there is no credential to check.`,
      );
    }
    runtime.setSecret(apiKey);
    const { verifyToken } = await import('../../steps/auth.js');
    const identity = await verifyToken(runtime, apiUrl, apiKey, retries, ctx.deps);
    return {
      exitCode: 0,
      summary: identity.slug ?? identity.name ?? '',
      result: { method: 'api-key', identity: { slug: identity.slug, name: identity.name } },
    };
  },
};
