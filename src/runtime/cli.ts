import fs from 'node:fs';
import { errorMessage } from '../client/errors.js';
import {
  IdTokenError,
  IdTokenUnavailableError,
  parseBooleanInput,
  splitLines,
  type InputOptions,
  type Runtime,
} from './runtime.js';

/** Where the CLI runtime reads from and writes to. */
export interface CliRuntimeOptions {
  /** Inputs given as flags, by input name (`api-url`); `AIRLOCK_<NAME>` variables fill the rest. */
  inputs?: Record<string, string | undefined>;
  /** The environment: read for `AIRLOCK_*` fallbacks and the ID token, written by exports. */
  env?: NodeJS.ProcessEnv;
  /** Where human logs go. Default: the process's stderr. */
  stderr?: { write(chunk: string): unknown };
  /** Append outputs here (`name<<DELIM` blocks, as a runner's output file). */
  outputFile?: string;
  /** Append exported variables here (same format), for a wrapper to source. */
  envFile?: string;
  /** Append the job summary here; without it the summary is printed. */
  summaryFile?: string;
  /** A file holding the CI's OIDC ID token (`--oidc-token-file`). */
  oidcTokenFile?: string;
  /** Print debug lines. Default: `AIRLOCK_DEBUG` is `1`/`true`, or `RUNNER_DEBUG` is `1`. */
  debug?: boolean;
  /** Timeout of one ID-token request. Default 30 000 ms. */
  idTokenTimeoutMs?: number;
}

/** The environment variable an input falls back to: `api-url` → `AIRLOCK_API_URL`. */
export function inputEnvName(name: string): string {
  return `AIRLOCK_${name.replace(/[- ]/g, '_').toUpperCase()}`;
}

/**
 * The runtime for Jenkins and terminals. It writes human logs to stderr and never prints a
 * workflow command (`::…`): masking means remembering each secret and redacting it from
 * everything it prints. Outputs are kept (see {@link CliRuntime.outputs}) and, when asked,
 * appended to a file.
 */
export class CliRuntime implements Runtime {
  readonly kind = 'cli' as const;
  private readonly env: NodeJS.ProcessEnv;
  private readonly secrets = new Set<string>();
  private readonly out = new Map<string, string>();
  private readonly state = new Map<string, string>();

  constructor(private readonly options: CliRuntimeOptions = {}) {
    this.env = options.env ?? process.env;
  }

  /** Outputs set so far. */
  outputs(): Record<string, string> {
    return Object.fromEntries(this.out);
  }

  /** {@inheritDoc Runtime.getInput} */
  getInput(name: string, options: InputOptions = {}): string {
    const raw = this.options.inputs?.[name] ?? this.env[inputEnvName(name)] ?? '';
    const value = options.trimWhitespace === false ? raw : raw.trim();
    if (options.required && value === '') {
      throw new Error(`--${name} or ${inputEnvName(name)} is required: pass the flag or set the variable.`);
    }
    return value;
  }

  /** {@inheritDoc Runtime.getBooleanInput} */
  getBooleanInput(name: string, options?: InputOptions): boolean {
    const value = this.getInput(name, options);
    return value === '' ? false : parseBooleanInput(name, value);
  }

  /** {@inheritDoc Runtime.getMultilineInput} */
  getMultilineInput(name: string, options?: InputOptions): string[] {
    return splitLines(this.getInput(name, options), options?.trimWhitespace !== false);
  }

  /** {@inheritDoc Runtime.getEnv} */
  getEnv(name: string): string | undefined {
    return this.env[name];
  }

  /** {@inheritDoc Runtime.setOutput} */
  setOutput(name: string, value: string): void {
    this.out.set(name, value);
    if (this.options.outputFile) fs.appendFileSync(this.options.outputFile, keyValueBlock(name, value));
  }

  /** {@inheritDoc Runtime.exportVariable} */
  exportVariable(name: string, value: string): void {
    this.env[name] = value;
    if (this.options.envFile) fs.appendFileSync(this.options.envFile, keyValueBlock(name, value));
  }

  /** {@inheritDoc Runtime.setSecret} */
  setSecret(secret: string): void {
    if (!secret) return;
    this.secrets.add(secret);
    for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 4) this.secrets.add(line.trim());
  }

  /** Replaces every remembered secret in `text` with `***`. */
  redact(text: string): string {
    let result = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join('***');
    }
    return result;
  }

  /** {@inheritDoc Runtime.info} */
  info(message: string): void {
    this.print('', message);
  }

  /** {@inheritDoc Runtime.warning} */
  warning(message: string): void {
    this.print('warning: ', message);
  }

  /** {@inheritDoc Runtime.error} */
  error(message: string): void {
    this.print('error: ', message);
  }

  /** {@inheritDoc Runtime.debug} */
  debug(message: string): void {
    if (this.isDebug()) this.print('debug: ', message);
  }

  /** {@inheritDoc Runtime.group} */
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.print('── ', name);
    return fn();
  }

  /** {@inheritDoc Runtime.summary} */
  async summary(markdown: string): Promise<void> {
    const text = this.redact(markdown);
    if (this.options.summaryFile)
      fs.appendFileSync(this.options.summaryFile, text.endsWith('\n') ? text : `${text}\n`);
    else this.print('', text);
  }

  /** {@inheritDoc Runtime.getIdToken} */
  async getIdToken(audience?: string): Promise<string> {
    const token = await this.findIdToken(audience);
    this.setSecret(token);
    return token;
  }

  private async findIdToken(audience?: string): Promise<string> {
    const file = this.options.oidcTokenFile;
    if (file) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8').trim();
      } catch (err) {
        const reason = errorMessage(err);
        throw new IdTokenError(`Cannot read the OIDC token file ${file}: ${reason}`, false, undefined, err);
      }
      if (!text) throw new IdTokenUnavailableError(`The OIDC token file ${file} is empty.`);
      return text;
    }
    const fromEnv = this.env.AIRLOCK_OIDC_TOKEN?.trim();
    if (fromEnv) return fromEnv;
    const url = this.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const requestToken = this.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (url && requestToken) {
      // The HTTP client loads only here: most CLI runs outside GitHub Actions never need it.
      const { fetchActionsIdToken } = await import('./actions-id-token.js');
      return fetchActionsIdToken(url, requestToken, audience, this.options.idTokenTimeoutMs);
    }
    throw new IdTokenUnavailableError(
      'No OIDC ID token is available: pass --oidc-token-file, set AIRLOCK_OIDC_TOKEN, or run inside ' +
        'GitHub Actions with `permissions: id-token: write`; or give an API key instead.',
    );
  }

  /** {@inheritDoc Runtime.saveState} */
  saveState(name: string, value: string): void {
    this.state.set(name, value);
  }

  /** {@inheritDoc Runtime.getState} */
  getState(name: string): string {
    return this.state.get(name) ?? '';
  }

  /** {@inheritDoc Runtime.isDebug} */
  isDebug(): boolean {
    if (this.options.debug !== undefined) return this.options.debug;
    return ['1', 'true'].includes(this.env.AIRLOCK_DEBUG ?? '') || this.env.RUNNER_DEBUG === '1';
  }

  private print(prefix: string, message: string): void {
    // A trailing new line (OpenSSL ends its messages with one) would print an empty prefixed line.
    const lines = this.redact(message.replace(/\n+$/, ''))
      .split('\n')
      // A line starting with `::` would be a workflow command to a GitHub runner; defuse it.
      .map((line) => prefix + line.replace(/^(\s*):(?=:)/, '$1: '));
    (this.options.stderr ?? process.stderr).write(`${lines.join('\n')}\n`);
  }
}

/**
 * `name<<DELIM\nvalue\nDELIM\n`: the runner's file format, safe for any value. The global Web
 * Crypto object, not an import of node:crypto: that module takes several milliseconds to load
 * on Node 24, which every start of the CLI would pay for a function only some commands call.
 */
function keyValueBlock(name: string, value: string): string {
  let delimiter = `airlock_${globalThis.crypto.randomUUID()}`;
  while (value.includes(delimiter)) delimiter = `airlock_${globalThis.crypto.randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}
