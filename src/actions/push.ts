// The push action: upload the build's files as packages.
import { readPushSettings } from '../config/push.js';
import { runAction } from './_entry.js';

void runAction(readPushSettings, async () => (await import('../steps/run.js')).runPushAction);
