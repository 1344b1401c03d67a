#!/usr/bin/env node
// The `airlock` command: runs the CLI bundle (dist/cli/index.js, built by `npm run package`).
import '../dist/cli/index.js';
