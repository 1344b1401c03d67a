/** Options of {@link Runtime.getInput}. */
export interface InputOptions {
  /** Throw when the input is empty. */
  required?: boolean;
  /** Trim surrounding whitespace (default true). */
  trimWhitespace?: boolean;
}

/**
 * The CI runtime a step runs in: inputs, outputs, exported variables, secret masking, logs, the
 * job summary, state between phases, and the CI's OIDC ID token. `github.ts` implements it over
 * @actions/core; `cli.ts` for Jenkins and terminals. Steps receive one and never touch
 * @actions/core or `process.env` themselves.
 */
export interface Runtime {
  /** `github` or `cli`: for wording only, never for behaviour. */
  readonly kind: 'github' | 'cli';
  /** An input by its action.yml name (`api-url`); '' when not given. */
  getInput(name: string, options?: InputOptions): string;
  /** A YAML 1.2 boolean input (`true|True|TRUE|false|False|FALSE`); false when empty and not required. */
  getBooleanInput(name: string, options?: InputOptions): boolean;
  /** A newline-separated input, without empty lines. */
  getMultilineInput(name: string, options?: InputOptions): string[];
  /** A variable of the job's environment (what earlier steps exported). */
  getEnv(name: string): string | undefined;
  /** Sets a step output. */
  setOutput(name: string, value: string): void;
  /** Exports a variable to this and later steps of the job. */
  exportVariable(name: string, value: string): void;
  /** Masks a secret in every log from now on. Call it before the secret is exported or output. */
  setSecret(secret: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a collapsible log group. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Appends markdown to the job summary and writes it out. */
  summary(markdown: string): Promise<void>;
  /**
   * The CI's OIDC ID token for `audience`. Throws {@link IdTokenUnavailableError} when the CI
   * offers none, and {@link IdTokenError} when fetching it failed.
   */
  getIdToken(audience?: string): Promise<string>;
  /** Keeps a value for a later phase of the same step (post scripts). */
  saveState(name: string, value: string): void;
  getState(name: string): string;
  isDebug(): boolean;
}

/**
 * What reading an action's settings needs of a runtime: its inputs, the job's environment,
 * masking and warnings. An entry file reads settings through this before it loads the steps, so
 * a bad input fails before anything heavy is loaded.
 */
export type InputSource = Pick<
  Runtime,
  'kind' | 'getInput' | 'getBooleanInput' | 'getMultilineInput' | 'getEnv' | 'setSecret' | 'warning'
>;

/** The CI offers no OIDC ID token here (e.g. the job lacks `permissions: id-token: write`). */
export class IdTokenUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdTokenUnavailableError';
  }
}

/** Fetching the ID token failed; `retryable` when another try may succeed (network, 5xx, timeout). */
export class IdTokenError extends Error {
  readonly retryable: boolean;
  /** The HTTP status of the token endpoint's answer, when there was one. */
  readonly status?: number;

  constructor(message: string, retryable: boolean, status?: number, cause?: unknown) {
    super(message, { cause });
    this.name = 'IdTokenError';
    this.retryable = retryable;
    this.status = status;
  }
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

/** Reads a YAML 1.2 core-schema boolean as the runner does; names the input when it is not one. */
export function parseBooleanInput(name: string, value: string): boolean {
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new TypeError(
    `Input ${name}: '${value}' is not a boolean; use true or false (YAML 1.2 core schema: true|True|TRUE|false|False|FALSE).`,
  );
}

/** Splits a multiline input into its non-empty lines. */
export function splitLines(value: string, trim = true): string[] {
  return value
    .split('\n')
    .map((line) => (trim ? line.trim() : line.replace(/\r$/, '')))
    .filter((line) => line !== '');
}

/** Whether an ID-token endpoint answer status is worth another try. */
export function isRetryableIdTokenStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
