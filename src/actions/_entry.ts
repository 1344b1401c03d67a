import { GitHubInputs } from '../runtime/github-inputs.js';
import type { InputSource, Runtime } from '../runtime/runtime.js';

/** An action's step: resolves with the message to fail the step with (a failed gate), if any. */
export type ActionStep<S> = (runtime: Runtime, settings: S) => Promise<{ failure?: string }>;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs an action: reads its settings from the step's inputs, then loads its step and the
 * GitHub runtime (over @actions/core) and runs it. The only place a step's outcome becomes the
 * step's status: a returned message (a failed gate) or a thrown error fails it.
 *
 * The step is loaded on demand (`load` is a dynamic import, which the bundler keeps as a chunk
 * beside the action's index.js): the settings readers are all a start needs, so a bad input
 * fails the step at once, and the HTTP clients and reporting are read only when they are used.
 */
export async function runAction<S>(
  read: (inputs: InputSource) => S | Promise<S>,
  load: () => Promise<ActionStep<S>>,
): Promise<void> {
  const inputs = new GitHubInputs();
  try {
    const settings = await read(inputs);
    const [{ GitHubRuntime }, step] = await Promise.all([import('../runtime/github.js'), load()]);
    const { failure } = await step(new GitHubRuntime(process.env, inputs.masked), settings);
    if (failure) inputs.fail(failure);
  } catch (err) {
    inputs.fail(messageOf(err));
  }
}
