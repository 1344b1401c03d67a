// The `auth` action (auth/action.yml): OIDC token exchange, masked and exported for later steps.
import { setFailed } from '@actions/core';
import { readAuthSettings } from '../config/auth.js';
import { GitHubRuntime } from '../runtime/github.js';
import { authenticate } from '../steps/auth.js';

const runtime = new GitHubRuntime();
try {
  await authenticate(runtime, readAuthSettings(runtime));
} catch (err) {
  setFailed(err instanceof Error ? err.message : String(err));
}
