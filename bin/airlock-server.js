#!/usr/bin/env node
// Runs the compiled service (npm ci builds lib/ through the prepare script).
import { boundOldGeneration } from '../lib/src/server/old-generation.js';
import { holdYoungGeneration } from '../lib/src/server/young-generation.js';

// Before the service's modules load: loading them is what would grow both generations.
holdYoungGeneration();
boundOldGeneration();
const { main } = await import('../lib/src/server/main.js');

const code = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
