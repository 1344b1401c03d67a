// The `auth` action (auth/action.yml): OIDC token exchange, masked and exported for later steps.
import { readAuthSettings } from '../config/auth.js';
import { runAction } from './_entry.js';

void runAction(readAuthSettings, async () => {
  const { authenticate } = await import('../steps/auth.js');
  return async (runtime, settings) => {
    await authenticate(runtime, settings);
    return {};
  };
});
