import { readPipelineSettings } from '../../config/pipeline.js';
import { OIDC_TOKEN_FILE_FLAG } from '../flags.js';
import { describeComponents, describeCounts } from './gate.js';
import { stepCommand } from './step.js';

/** `airlock pipeline`: the root action — auth, push, gate, promote and report in one run. */
export const pipelineCommand = stepCommand(
  {
    name: 'pipeline',
    summary: 'auth → push → gate → promote → report in one run (exit 2 when the gate fails)',
    action: '.',
    // The pipeline authenticates itself, from the same inputs.
    authenticates: false,
    reports: true,
    readsState: false,
    read: readPipelineSettings,
    load: async () => (await import('../../steps/run.js')).runPipelineAction,
    describe: (result, failure) =>
      failure ?? `The gate passed: ${describeCounts(result)}; ${describeComponents(result)}.`,
  },
  [OIDC_TOKEN_FILE_FLAG],
);
