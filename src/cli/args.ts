import type { FlagSpec } from './flags.js';

/** A command line the CLI cannot accept: an unknown flag, a missing value, a bad value. Exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags as given on the command line: values by flag name, switches as `true`. */
export interface ParsedArgs {
  values: Record<string, string>;
  switches: Set<string>;
}

/**
 * Parses `--name value`, `--name=value`, bare switches and bare boolean flags against `flags`.
 * There are no positional arguments; an unknown flag, a repeated one or a flag without its
 * value throws a {@link UsageError} naming it. A value may start with `-`; only another flag of
 * this command is never taken as a value, so a forgotten value is reported rather than the next
 * flag silently swallowed.
 */
export function parseArgs(argv: readonly string[], flags: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const values: Record<string, string> = {};
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      switches.add('help');
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      // Not echoed: a misplaced argument may be a credential.
      throw new UsageError(
        `unexpected argument #${i + 1}: every value is given with its flag (--name VALUE); there are no positional arguments`,
      );
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const flag = byName.get(name);
    if (!flag) throw new UsageError(`unknown flag --${name}${suggest(name, flags)}`);
    if (name in values || switches.has(name)) throw new UsageError(`--${name} is given more than once`);
    if (flag.kind === 'switch') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      switches.add(name);
      continue;
    }
    if (eq !== -1) {
      values[name] = arg.slice(eq + 1);
      continue;
    }
    const next = argv[i + 1];
    const nextIsFlag = next === undefined || isFlag(next, byName);
    if (flag.kind === 'boolean' && nextIsFlag) {
      values[name] = 'true';
      continue;
    }
    if (nextIsFlag) throw new UsageError(`--${name} needs a value (--${name} VALUE)`);
    values[name] = next;
    i++;
  }
  return { values, switches };
}

/** Whether an argument is one of the command's flags (`-h`, `--name`, `--name=…`). */
function isFlag(arg: string, byName: ReadonlyMap<string, FlagSpec>): boolean {
  if (arg === '-h') return true;
  if (!arg.startsWith('--')) return false;
  const eq = arg.indexOf('=');
  return byName.has(eq === -1 ? arg.slice(2) : arg.slice(2, eq));
}

/** ` (did you mean --x?)` for a near miss, else ''. */
function suggest(name: string, flags: readonly FlagSpec[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const flag of flags) {
    const d = distance(name, flag.name);
    if (d < bestDistance) {
      best = flag.name;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean --${best}?)` : '';
}

/** Levenshtein distance, for suggestions only. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
