import * as core from '@actions/core';
import { errorMessage } from '../client/errors.js';
import {
  IdTokenError,
  IdTokenUnavailableError,
  isRetryableIdTokenStatus,
  parseBooleanInput,
  type InputOptions,
  type Runtime,
} from './runtime.js';

/** The message a job without `id-token: write` gets. */
export const MISSING_ID_TOKEN_PERMISSION =
  'No OIDC ID token is available: ACTIONS_ID_TOKEN_REQUEST_URL is not set, which means the job ' +
  'lacks the permission to request one. Add `permissions: id-token: write` to the job (or the ' +
  'workflow), or give the `api-key` input instead.';

/**
 * The GitHub Actions runtime over @actions/core: inputs from `INPUT_*`, outputs and exports
 * through the runner's files, `::add-mask::` for secrets, the job summary, and the runner's
 * ID-token endpoint.
 */
export class GitHubRuntime implements Runtime {
  readonly kind = 'github' as const;
  private readonly masked: Set<string>;

  /**
   * `env` is where exports are mirrored and the ID-token and summary settings are read; it is
   * the process environment, which @actions/core itself reads for inputs and files. `masked`
   * holds the secrets already masked (by {@link GitHubInputs} while the settings were read).
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    masked: Iterable<string> = [],
  ) {
    this.masked = new Set(masked);
  }

  /** {@inheritDoc Runtime.getInput} */
  getInput(name: string, options?: InputOptions): string {
    return core.getInput(name, options);
  }

  /** {@inheritDoc Runtime.getBooleanInput} */
  getBooleanInput(name: string, options?: InputOptions): boolean {
    const value = core.getInput(name, options);
    return value === '' ? false : parseBooleanInput(name, value);
  }

  /** {@inheritDoc Runtime.getMultilineInput} */
  getMultilineInput(name: string, options?: InputOptions): string[] {
    return core.getMultilineInput(name, options);
  }

  /** {@inheritDoc Runtime.getEnv} */
  getEnv(name: string): string | undefined {
    return this.env[name];
  }

  /** {@inheritDoc Runtime.setOutput} */
  setOutput(name: string, value: string): void {
    core.setOutput(name, value);
  }

  /** {@inheritDoc Runtime.exportVariable} */
  exportVariable(name: string, value: string): void {
    core.exportVariable(name, value);
    this.env[name] = value;
  }

  /** {@inheritDoc Runtime.setSecret} */
  setSecret(secret: string): void {
    if (!secret || this.masked.has(secret)) return;
    this.masked.add(secret);
    core.setSecret(secret);
  }

  /** {@inheritDoc Runtime.info} */
  info(message: string): void {
    core.info(message);
  }

  /** {@inheritDoc Runtime.warning} */
  warning(message: string): void {
    core.warning(message);
  }

  /** {@inheritDoc Runtime.error} */
  error(message: string): void {
    core.error(message);
  }

  /** {@inheritDoc Runtime.debug} */
  debug(message: string): void {
    core.debug(message);
  }

  /** {@inheritDoc Runtime.group} */
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return core.group(name, fn);
  }

  /** {@inheritDoc Runtime.summary} */
  async summary(markdown: string): Promise<void> {
    if (!this.env.GITHUB_STEP_SUMMARY) {
      core.debug('No GITHUB_STEP_SUMMARY file: the job summary is skipped.');
      return;
    }
    await core.summary.addRaw(markdown, true).write();
  }

  /** {@inheritDoc Runtime.getIdToken} */
  async getIdToken(audience?: string): Promise<string> {
    if (!this.env.ACTIONS_ID_TOKEN_REQUEST_URL || !this.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      throw new IdTokenUnavailableError(MISSING_ID_TOKEN_PERMISSION);
    }
    try {
      const token = await core.getIDToken(audience);
      // @actions/core has already masked it.
      this.masked.add(token);
      return token;
    } catch (err) {
      throw idTokenError(err);
    }
  }

  /** {@inheritDoc Runtime.saveState} */
  saveState(name: string, value: string): void {
    core.saveState(name, value);
  }

  /** {@inheritDoc Runtime.getState} */
  getState(name: string): string {
    return core.getState(name);
  }

  /** {@inheritDoc Runtime.isDebug} */
  isDebug(): boolean {
    return core.isDebug();
  }
}

/**
 * @actions/core reports ID-token failures as text (`Error Code : 503 … Error Message: …`); the
 * status, or its absence for a network failure, decides whether another try may help.
 */
function idTokenError(err: unknown): IdTokenError {
  const text = errorMessage(err);
  const code = /Error Code\s*:\s*(\d{3})/.exec(text);
  const status = code ? Number(code[1]) : undefined;
  const reason = /Error Message\s*:\s*([^\n]*)/.exec(text)?.[1]?.trim() || text.replace(/\s+/g, ' ').trim();
  const fetchFailed = /Failed to get ID Token/.test(text);
  const label = status ? `HTTP ${status}` : fetchFailed ? 'network error' : 'bad answer';
  return new IdTokenError(
    `Could not get an OIDC ID token from the runner (${label}): ${reason}`,
    fetchFailed && isRetryableIdTokenStatus(status),
    status,
    err,
  );
}
