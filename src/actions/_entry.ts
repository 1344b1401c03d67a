import { setFailed } from '@actions/core';
import { GitHubRuntime } from '../runtime/github.js';

/**
 * Runs an action with the GitHub runtime. The only place a step's outcome becomes the step's
 * status: a returned failure (a failed gate) or a thrown error fails it.
 */
export async function runEntry(
  body: (runtime: GitHubRuntime) => Promise<{ failure?: string }>,
): Promise<void> {
  const runtime = new GitHubRuntime();
  try {
    const { failure } = await body(runtime);
    if (failure) setFailed(failure);
  } catch (err) {
    setFailed(err instanceof Error ? err.message : String(err));
  }
}
