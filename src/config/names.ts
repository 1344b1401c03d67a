/**
 * Names of inputs, outputs and exported variables: the one place they are spelled. action.yml
 * files declare the same input and output names (a test checks both ways).
 */

/** Inputs of the `auth` action (auth/action.yml). */
export const AuthInput = {
  ApiUrl: 'api-url',
  Org: 'org',
  ServiceSlug: 'service-slug',
  Audience: 'audience',
  ApiKey: 'api-key',
  Retries: 'retries',
  NpmRepository: 'npm-repository',
  Npmrc: 'npmrc',
} as const;

/** Outputs of the `auth` action. */
export const AuthOutput = {
  Token: 'token',
  ExpiresAt: 'expires-at',
  NpmRegistry: 'npm-registry',
} as const;

/**
 * Variables the `auth` step exports for later steps of the job: the API and its credential,
 * and what a later step needs to exchange again when the token is about to expire.
 */
export const AuthEnv = {
  ApiUrl: 'AIRLOCK_API_URL',
  ApiKey: 'AIRLOCK_API_KEY',
  TokenExpiresAt: 'AIRLOCK_TOKEN_EXPIRES_AT',
  Org: 'AIRLOCK_ORG',
  ServiceSlug: 'AIRLOCK_SERVICE_SLUG',
  Audience: 'AIRLOCK_AUDIENCE',
  /** Where npm reads its user config from: set when `auth` writes an `.npmrc` in the runner's temp folder. */
  NpmUserConfig: 'NPM_CONFIG_USERCONFIG',
} as const;

/** Default values the action.yml files repeat as their documented defaults. */
export const AuthDefaults = {
  Audience: 'airlock',
  Retries: 3,
  MaxRetries: 10,
} as const;

/** Inputs every repository step shares: where the API is, the credential and the retries. */
export const ConnectionInput = {
  ApiUrl: 'api-url',
  ApiKey: 'api-key',
  Retries: 'retries',
} as const;

/** Inputs of the `push` action (push/action.yml), besides {@link ConnectionInput}. */
export const PushInput = {
  Owner: 'owner',
  Repo: 'repo',
  Files: 'files',
  Format: 'format',
  Name: 'name',
  Version: 'version',
  Tags: 'tags',
  Republish: 'republish',
  Parallel: 'parallel',
} as const;

/** Outputs of the `push` action. */
export const PushOutput = {
  Packages: 'packages',
} as const;

/** Inputs of the `gate` action's rules (gate/action.yml), besides connection and reporting inputs. */
export const GateInput = {
  Owner: 'owner',
  Repo: 'repo',
  Packages: 'packages',
  WaitTimeout: 'wait-timeout',
  OnTimeout: 'on-timeout',
  OnScanError: 'on-scan-error',
  OnIncomplete: 'on-incomplete',
  MaxAdvisoryAge: 'max-advisory-age',
  FailOn: 'fail-on',
  MaxCritical: 'max-critical',
  MaxHigh: 'max-high',
  MaxMedium: 'max-medium',
  MaxLow: 'max-low',
  IgnoreUnfixed: 'ignore-unfixed',
  UnknownSeverity: 'unknown-severity',
  UnknownLicense: 'unknown-license',
  Allowlist: 'allowlist',
  DenyLicenses: 'deny-licenses',
} as const;

/** Outputs of the `gate` action. */
export const GateOutput = {
  Result: 'result',
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
  Unknown: 'unknown',
  Findings: 'findings',
  Sarif: 'sarif',
  ComponentsEvaluated: 'components-evaluated',
  ComponentsNotEvaluated: 'components-not-evaluated',
} as const;

/** Inputs of reporting to GitHub (gate, promote and the pipeline). */
export const ReportInput = {
  GithubToken: 'github-token',
  Comment: 'comment',
  CheckName: 'check-name',
  Matrix: 'matrix',
} as const;

/** Inputs of the `promote` action (promote/action.yml), besides connection and reporting inputs. */
export const PromoteInput = {
  Owner: 'owner',
  Repo: 'repo',
  Packages: 'packages',
  Destination: 'destination',
  Mode: 'mode',
  Tags: 'tags',
  QuarantineOnFail: 'quarantine-on-fail',
  GateResult: 'gate-result',
  WaitTimeout: 'wait-timeout',
} as const;

/** Outputs of the `promote` action. */
export const PromoteOutput = {
  Promoted: 'promoted',
} as const;

/**
 * Variables the push, gate and promote steps export so later steps of the job default to what
 * earlier ones did. Their names are what the CLI runtime reads for the inputs of the same name
 * (`owner` → `AIRLOCK_OWNER`), so the CLI chains steps the same way.
 */
export const StepEnv = {
  Owner: 'AIRLOCK_OWNER',
  Repo: 'AIRLOCK_REPO',
  /** The pushed packages, as the `packages` output (JSON). */
  Packages: 'AIRLOCK_PACKAGES',
  /** `pass` or `fail`: the gate's verdict, for promote's `gate-result`. */
  GateResult: 'AIRLOCK_GATE_RESULT',
  /** Path of the gate's findings file (the full verdict), for promote's reporting and quarantine. */
  GateFindings: 'AIRLOCK_GATE_FINDINGS',
} as const;

/** Variables of the GitHub runner the reporting and file settings read. */
export const RunnerEnv = {
  Repository: 'GITHUB_REPOSITORY',
  EventName: 'GITHUB_EVENT_NAME',
  EventPath: 'GITHUB_EVENT_PATH',
  Sha: 'GITHUB_SHA',
  ServerUrl: 'GITHUB_SERVER_URL',
  ApiUrl: 'GITHUB_API_URL',
  RunId: 'GITHUB_RUN_ID',
  Workflow: 'GITHUB_WORKFLOW',
  Job: 'GITHUB_JOB',
  RunnerTemp: 'RUNNER_TEMP',
  Workspace: 'GITHUB_WORKSPACE',
} as const;

/** Defaults the push, gate and promote action.yml files repeat as their documented defaults. */
export const StepDefaults = {
  Parallel: 4,
  MaxParallel: 16,
  WaitTimeout: '10m',
  PromoteWaitTimeout: '5m',
  CheckName: 'Airlock gate',
  Mode: 'copy',
} as const;
