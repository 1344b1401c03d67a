#!/usr/bin/env node
// Runs the compiled service (npm ci builds lib/ through the prepare script).
import { main } from '../lib/src/server/main.js';

const code = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
});
process.exitCode = code;
