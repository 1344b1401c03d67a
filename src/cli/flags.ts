import { inputEnvName } from '../runtime/cli.js';
import { ACTION_INPUTS } from './action-inputs.js';

/** An input as an action.yml declares it (see action-inputs.ts, generated from those files). */
export interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  /** The declared default, as the runner would pass it. */
  default?: string;
}

/**
 * A command-line flag: `--name`. `value` flags take the next argument (or `--name=value`);
 * `boolean` flags are inputs whose default is true/false and may also be given bare (`--republish`
 * means `--republish true`); `switch` flags never take a value (`--json`, `--help`).
 */
export interface FlagSpec {
  name: string;
  description: string;
  kind: 'value' | 'boolean' | 'switch';
  /** The documented default, shown by `--help`. */
  default?: string;
  /** Where the flag comes from: the subcommand's action.yml, or the CLI itself. */
  source: 'action' | 'cli';
  /** Environment variables read, in order, when the flag is not given. */
  env: string[];
}

/** Flags every subcommand takes. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  cliFlag('json', 'switch', 'Print one JSON result on stdout (human logs stay on stderr).'),
  cliFlag('output', 'value', 'Also write the JSON result to this file (its directory is created).'),
  cliFlag('help', 'switch', 'Show the flags of this subcommand and exit.', []),
];

/** The CLI's own way to get an ID token, for subcommands that authenticate. */
export const OIDC_TOKEN_FILE_FLAG: FlagSpec = cliFlag(
  'oidc-token-file',
  'value',
  "A file holding the CI's OIDC ID token (Jenkins' idTokenFile credential). Without it the token " +
    'comes from AIRLOCK_OIDC_TOKEN, or from the GitHub Actions ID-token endpoint when running there.',
);

/** A CLI-only flag, read from `AIRLOCK_<NAME>` unless `env` says otherwise. */
export function cliFlag(
  name: string,
  kind: FlagSpec['kind'],
  description: string,
  env: string[] = [inputEnvName(name)],
  defaultValue?: string,
): FlagSpec {
  return { name, kind, description, source: 'cli', env, ...(defaultValue ? { default: defaultValue } : {}) };
}

/** Whether a declared default is a workflow expression (`${{ … }}`) the CLI cannot evaluate. */
export function isExpression(value: string | undefined): boolean {
  return value !== undefined && value.includes('${{');
}

/** Variables an input also falls back to, after `AIRLOCK_<NAME>`: what a CI binds them to. */
const ENV_ALIASES: Readonly<Record<string, readonly string[]>> = {
  // Jenkins' withCredentials (and most CIs) bind a GitHub token to GITHUB_TOKEN.
  'github-token': ['GITHUB_TOKEN'],
};

/** An action input as a flag: its name, description and default; boolean when the default is. */
export function inputFlag(input: ActionInput): FlagSpec {
  const boolean = input.default !== undefined && /^(true|false)$/i.test(input.default);
  return {
    name: input.name,
    description: input.description,
    kind: boolean ? 'boolean' : 'value',
    // A workflow expression (`${{ github.token }}`) means nothing outside Actions: no default here.
    ...(input.default !== undefined && input.default !== '' && !isExpression(input.default)
      ? { default: input.default }
      : {}),
    source: 'action',
    env: [inputEnvName(input.name), ...(ENV_ALIASES[input.name] ?? [])],
  };
}

/** The inputs an action declares; throws when the CLI was built without that action. */
export function actionInputs(action: string): readonly ActionInput[] {
  const inputs = ACTION_INPUTS[action];
  if (!inputs) throw new Error(`No action.yml for '${action}' was found when the CLI was built.`);
  return inputs;
}

/** Whether the CLI was built with this action's inputs. */
export function hasAction(action: string): boolean {
  return ACTION_INPUTS[action] !== undefined;
}

/**
 * The flags of a subcommand: the action's inputs, then `extra` CLI-only flags not already among
 * them, then the common flags. A name the action declares always keeps the action's meaning.
 */
export function buildFlags(action: string | undefined, extra: readonly FlagSpec[]): FlagSpec[] {
  const flags = action ? actionInputs(action).map(inputFlag) : [];
  const names = new Set(flags.map((f) => f.name));
  for (const flag of [...extra, ...COMMON_FLAGS]) {
    if (!names.has(flag.name)) {
      flags.push(flag);
      names.add(flag.name);
    }
  }
  return flags;
}
