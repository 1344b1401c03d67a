// The root action (action.yml): auth → push → gate → promote → report in one step.
import { readPipelineSettings } from '../config/pipeline.js';
import { runPipelineAction } from '../steps/run.js';
import { runEntry } from './_entry.js';

await runEntry((runtime) => runPipelineAction(runtime, readPipelineSettings(runtime)));
