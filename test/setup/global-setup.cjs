// Compiles src/ into lib/ (incrementally) so tests can start the real `airlock-server` process.
// tsc emits even when it finds type errors; those are `npm run lint`'s to report, not a reason
// to stop every test from running.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { startStores } = require('./stores.cjs');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../..');
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) {
    const errors = (run.stdout.match(/error TS/g) || []).length;
    process.stderr.write(
      `\nnote: compiling lib/ reported ${errors} type error(s); run 'npm run lint' to see them.\n`,
    );
  }
  await startStores();
};
