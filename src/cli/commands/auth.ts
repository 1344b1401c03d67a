import { readAuthSettings } from '../../config/auth.js';
import { readSettings, type Command } from '../command.js';
import { describeAuth } from '../credentials.js';
import { buildFlags, OIDC_TOKEN_FILE_FLAG } from '../flags.js';

/**
 * `airlock auth`: the `auth` step. Exchanges the CI's OIDC token (or checks the API key) and
 * says who it acts as; the token itself is never printed. Later subcommands authenticate on
 * their own, so in Jenkins this is a check that the credentials work.
 */
export const authCommand: Command = {
  name: 'auth',
  summary: 'exchange the CI OIDC token for a repository token and check it (or check an API key)',
  action: 'auth',
  flags: buildFlags('auth', [OIDC_TOKEN_FILE_FLAG]),
  async run({ runtime, deps }) {
    const settings = await readSettings(() => readAuthSettings(runtime));
    const { authenticate } = await import('../../steps/auth.js');
    const result = await authenticate(runtime, settings, deps);
    const who = result.identity.slug ?? result.identity.name ?? 'an unnamed account';
    return {
      exitCode: 0,
      summary: `authenticated to ${settings.apiUrl} as ${who} (${result.method})`,
      result: { apiUrl: settings.apiUrl, ...describeAuth(result) },
    };
  },
};
