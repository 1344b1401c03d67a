// The `push` action (push/action.yml): uploads the build's files as packages.
import { readPushSettings } from '../config/push.js';
import { runPushAction } from '../steps/run.js';
import { runEntry } from './_entry.js';

await runEntry((runtime) => runPushAction(runtime, readPushSettings(runtime)));
