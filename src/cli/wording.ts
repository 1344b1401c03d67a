import { AuthEnv, AuthInput, StepEnv } from '../config/names.js';
import type { FlagSpec } from './flags.js';
import { STATE_DIR, StateFile } from './state.js';

/**
 * Hints the settings readers give a workflow author, and what a terminal or Jenkins user does
 * instead: there every subcommand is its own process, so nothing an earlier one exported is
 * around — credentials come from flags or the environment, and push and gate leave their
 * results in `.airlock/`.
 */
const HINTS: readonly (readonly [string, string])[] = [
  [`, or run the auth action earlier in the job so ${AuthEnv.ApiUrl} is set`, ''],
  [
    `run the auth action earlier in the job (it exports ${AuthEnv.ApiKey}) or give an API key`,
    "give an API key, or --org and --service-slug to exchange the CI's OIDC token for one (see `airlock auth --help`)",
  ],
  [
    `run the push action earlier in the job (it exports ${StepEnv.Packages})`,
    `run \`airlock push\` in this directory first (it records the packages in ${STATE_DIR}/${StateFile.Packages})`,
  ],
  [
    `run the gate action earlier in the job (it exports ${StepEnv.GateResult})`,
    `run \`airlock gate\` in this directory first (it records its result in ${STATE_DIR}/${StateFile.Gate})`,
  ],
  ['(run the auth action with OIDC)', '(give --org and --service-slug to use OIDC)'],
  [
    `Give either ${AuthInput.Org} and ${AuthInput.ServiceSlug} (OIDC, recommended) or ${AuthInput.ApiKey}`,
    `Give either --${AuthInput.Org} and --${AuthInput.ServiceSlug} (OIDC, recommended) or --${AuthInput.ApiKey} (or ${AuthEnv.ApiKey})`,
  ],
];

/**
 * A message of the steps' settings readers, which speak to a workflow author ("Input api-key is
 * required: run the auth action earlier in the job…"), as the CLI says it: each input the
 * command takes named as its flag and variable (`--api-key (or AIRLOCK_API_KEY)`), and hints
 * about earlier actions replaced by what to run or give here. Input names the command does not
 * take are left as they are.
 */
export function cliWording(message: string, flags: readonly FlagSpec[]): string {
  const byName = new Map(flags.map((f) => [f.name, f]));
  let text = message;
  for (const [action, cli] of HINTS) text = text.split(action).join(cli);
  text = text.replace(/\bInput ([a-z][a-z0-9-]*)\b/g, (whole, name: string) => {
    const flag = byName.get(name);
    if (!flag) return whole;
    const variable = flag.env[0];
    return variable ? `--${name} (or ${variable})` : `--${name}`;
  });
  // "the name and version inputs", "when format is raw", "set format to npm": bare input names.
  text = text.replace(
    /\bthe ([a-z][a-z0-9-]*) and ([a-z][a-z0-9-]*) inputs\b/g,
    (whole, a: string, b: string) => (byName.has(a) && byName.has(b) ? `--${a} and --${b}` : whole),
  );
  text = text.replace(/\b(when|set|needs) ([a-z][a-z0-9-]*)\b/g, (whole, word: string, name: string) =>
    byName.has(name) ? `${word} --${name}` : whole,
  );
  return text;
}
