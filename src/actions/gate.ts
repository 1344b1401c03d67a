// The gate action: wait for the scans, judge, report.
import { readGateSettings } from '../config/gate.js';
import { runAction } from './_entry.js';

void runAction(readGateSettings, async () => (await import('../steps/run.js')).runGateAction);
