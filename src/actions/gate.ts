// The `gate` action (gate/action.yml): waits for the repository's scans, judges them, reports.
import { readGateSettings } from '../config/gate.js';
import { runGateAction } from '../steps/run.js';
import { runEntry } from './_entry.js';

await runEntry((runtime) => runGateAction(runtime, readGateSettings(runtime)));
