import path from 'node:path';
import { runAction as runActionIn, type ActionRun, type RunActionOptions } from '../../src/demo/runner.js';

export { inputVariable, parseRunnerFile, type ActionRun } from '../../src/demo/runner.js';

/** The repository root (dist bundles and action folders live here). */
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Runs an action's dist bundle as a GitHub runner does, from the repository root. */
export function runAction(options: Omit<RunActionOptions, 'root'>): Promise<ActionRun> {
  return runActionIn({ ...options, root: ROOT });
}
