import fs from 'node:fs';
import path from 'node:path';
import { StepEnv } from '../config/names.js';
import type { PromotionRecord } from '../steps/promote.js';
import type { ActionResult } from '../steps/run.js';

/** The folder, in the working directory, where subcommands leave state for the next ones. */
export const STATE_DIR = '.airlock';

/** State files: what `push` pushed, and what the last `gate` decided. */
export const StateFile = {
  Packages: 'packages.json',
  Gate: 'gate.json',
  Promote: 'promote.json',
} as const;

/** `.airlock/packages.json`: the last push. */
export interface PushState {
  owner: string;
  repo: string;
  /** The `packages` output: a JSON array. */
  packages: unknown[];
}

/** `.airlock/gate.json`: the last gate. */
export interface GateState {
  result: string;
  findings: string;
  /** The slug_perms the gate judged, so its result is never applied to other packages. */
  packages: string[];
}

/** `.airlock/promote.json`: what the last promote did with each package, for `report`. */
export interface PromoteState {
  promoted: PromotionRecord[];
}

/**
 * State shared by the subcommands run in one workspace (separate processes in a Jenkins job).
 * The steps chain through variables they export (`AIRLOCK_PACKAGES`, `AIRLOCK_GATE_RESULT`, …,
 * see StepEnv), which live only as long as a process; this keeps what each action did (its typed
 * result) in JSON files under `.airlock/` and gives it back to the next subcommand as those
 * variables. Never a credential. Files are written through a temporary file and a rename.
 */
export class WorkspaceState {
  readonly dir: string;

  constructor(cwd: string) {
    this.dir = path.join(cwd, STATE_DIR);
  }

  /** The path of a state file. */
  file(name: string): string {
    return path.join(this.dir, name);
  }

  /** A state file's JSON, or undefined when there is none. Throws naming the file when it is unreadable. */
  read<T>(name: string): T | undefined {
    const file = this.file(name);
    if (!fs.existsSync(file)) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${file} is not valid JSON; delete it and run the earlier step again.`);
    }
  }

  /** Writes a state file whole. */
  write(name: string, value: unknown): string {
    const file = this.file(name);
    fs.mkdirSync(this.dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`);
    fs.renameSync(temp, file);
    return file;
  }

  /** Removes a state file, if there is one. */
  remove(name: string): void {
    fs.rmSync(this.file(name), { force: true });
  }

  /**
   * Puts what earlier subcommands recorded into `env`, where the steps look for it, without
   * replacing a variable that is already set. The gate's result is given back only when the
   * packages at hand (`packagesInput`, the flag, else the variable) are the ones it judged.
   */
  load(env: NodeJS.ProcessEnv, packagesInput?: string): void {
    const push = this.read<PushState>(StateFile.Packages);
    if (push) {
      env[StepEnv.Owner] ??= push.owner;
      env[StepEnv.Repo] ??= push.repo;
      env[StepEnv.Packages] ??= JSON.stringify(push.packages);
    }
    const gate = this.read<GateState>(StateFile.Gate);
    if (gate && sameIds(gate.packages, packageIds(packagesInput ?? env[StepEnv.Packages]))) {
      env[StepEnv.GateResult] ??= gate.result;
      env[StepEnv.GateFindings] ??= gate.findings;
    }
  }

  /**
   * Records what an action did: a push replaces the packages and forgets the last gate and
   * promotion (they were about other packages); a gate records its result, its findings file and
   * the packages it judged; a promotion records what it did with each package.
   */
  record(result: ActionResult): void {
    if (result.pushed) {
      this.write(StateFile.Packages, {
        owner: result.owner,
        repo: result.repo,
        packages: result.packages,
      } satisfies PushState);
      this.remove(StateFile.Gate);
      this.remove(StateFile.Promote);
    }
    if (result.gate) {
      this.write(StateFile.Gate, {
        result: result.gate.verdict.result,
        findings: result.gate.findingsPath,
        packages: result.packages.map((p) => p.slug_perm).sort(),
      } satisfies GateState);
    }
    if (result.promotions) {
      this.write(StateFile.Promote, { promoted: result.promotions } satisfies PromoteState);
    }
  }
}

/** The sorted slug_perms of a `packages` value; [] when it is not a JSON list of packages. */
export function packageIds(text: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed
    .map((p: unknown) =>
      typeof p === 'object' && p !== null && 'slug_perm' in p && typeof p.slug_perm === 'string'
        ? p.slug_perm
        : '',
    )
    .sort();
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length > 0 && a.length === b.length && a.every((id, i) => id === b[i]);
}
