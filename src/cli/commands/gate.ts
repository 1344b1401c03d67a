import { readGateSettings } from '../../config/gate.js';
import { stepCommand } from './step.js';

/** `critical 1, high 2, …` from the result's counts. */
export function describeCounts(result: Record<string, unknown>): string {
  const counts = (result.counts ?? {}) as Record<string, number>;
  return Object.entries(counts)
    .map(([level, n]) => `${n} ${level}`)
    .join(', ');
}

/** `4,210 of 4,212 components evaluated`, or that the repository did not say. */
export function describeComponents(result: Record<string, unknown>): string {
  const c = result.components as { evaluated: number; notEvaluated: number } | undefined;
  if (!c) return 'coverage not reported by the repository';
  const total = c.evaluated + c.notEvaluated;
  return `${c.evaluated.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} components evaluated`;
}

/** `airlock gate`: the gate action's step (wait for the scans, judge, report). Exit 2 when it fails. */
export const gateCommand = stepCommand({
  name: 'gate',
  summary: 'wait for the scan of each package, then pass or fail it (exit 2 when it fails)',
  action: 'gate',
  authenticates: true,
  reports: true,
  readsState: true,
  read: readGateSettings,
  load: async () => (await import('../../steps/run.js')).runGateAction,
  describe: (result, failure) =>
    failure ?? `The gate passed: ${describeCounts(result)}; ${describeComponents(result)}.`,
});
