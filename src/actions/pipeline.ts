// The root action (action.yml): auth → push → gate → promote → report in one step.
import { readPipelineSettings } from '../config/pipeline.js';
import { runAction } from './_entry.js';

void runAction(readPipelineSettings, async () => (await import('../steps/run.js')).runPipelineAction);
