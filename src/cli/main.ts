// The `airlock` command (bin/airlock.js; bundled to dist/cli/index.js and, for Jenkins, to
// jenkins/resources/io/airlock/airlock-cli.mjs). Its stdout carries only its own result: what
// libraries print there (workflow commands of @actions/*) is routed into its log.
import { ForeignOutput } from './foreign-output.js';
import { runCli } from './run.js';

const stdout = { write: process.stdout.write.bind(process.stdout) };
const foreign = new ForeignOutput(process.stderr);
process.stdout.write = foreign.write as typeof process.stdout.write;

process.exitCode = await runCli(process.argv.slice(2), {
  stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  foreign,
});
