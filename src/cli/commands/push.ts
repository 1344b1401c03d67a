import { readPushSettings } from '../../config/push.js';
import { stepCommand } from './step.js';

interface Listed {
  name?: string;
  version?: string;
}

/** `airlock push`: the push action's step. */
export const pushCommand = stepCommand({
  name: 'push',
  summary: 'upload build artifacts as packages (streamed with sha256); records them for gate and promote',
  action: 'push',
  authenticates: true,
  reports: false,
  readsState: false,
  read: readPushSettings,
  load: async () => (await import('../../steps/run.js')).runPushAction,
  describe(result) {
    const packages = Array.isArray(result.packages) ? (result.packages as Listed[]) : [];
    const names = packages.map((p) => [p.name, p.version].filter(Boolean).join(' ')).join(', ');
    return `pushed ${packages.length} package${packages.length === 1 ? '' : 's'}${names ? `: ${names}` : ''}`;
  },
});
