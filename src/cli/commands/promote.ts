import { readPromoteSettings } from '../../config/promote.js';
import type { PromotionRecord } from '../../steps/promote.js';
import { stepCommand } from './step.js';

/**
 * `airlock promote`: the promote action's step. After a failed gate nothing is promoted (the
 * packages are quarantined when asked) and it exits 2, so a script never mistakes it for a
 * promotion.
 */
export const promoteCommand = stepCommand({
  name: 'promote',
  summary: 'copy or move packages that passed the gate to the next repository (exit 2 after a failed gate)',
  action: 'promote',
  authenticates: true,
  reports: true,
  readsState: true,
  read: readPromoteSettings,
  async load() {
    const { runPromoteAction } = await import('../../steps/run.js');
    return async (runtime, settings, deps) => {
      const outcome = await runPromoteAction(runtime, settings, deps);
      const failure =
        outcome.failure ??
        (settings.gateResult === 'fail' ? 'The gate failed: nothing was promoted.' : undefined);
      return { ...outcome, ...(failure ? { failure } : {}) };
    };
  },
  describe(result, failure) {
    const promoted = Array.isArray(result.promoted) ? (result.promoted as PromotionRecord[]) : [];
    const count = (status: PromotionRecord['status']): number =>
      promoted.filter((p) => p.status === status).length;
    const parts = [
      `${count('promoted')} promoted`,
      `${count('unchanged')} already there`,
      `${count('quarantined')} quarantined`,
      `${count('not-promoted')} held back`,
    ];
    return `${failure ? `${failure} ` : ''}${parts.join(', ')}.`;
  },
});
