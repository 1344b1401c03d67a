// The `promote` action (promote/action.yml): promotes packages that passed, holds back the rest.
import { readPromoteSettings } from '../config/promote.js';
import { runPromoteAction } from '../steps/run.js';
import { runEntry } from './_entry.js';

await runEntry((runtime) => runPromoteAction(runtime, readPromoteSettings(runtime)));
