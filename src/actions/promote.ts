// The promote action: copy or move the packages that passed the gate.
import { readPromoteSettings } from '../config/promote.js';
import { runAction } from './_entry.js';

void runAction(readPromoteSettings, async () => (await import('../steps/run.js')).runPromoteAction);
