// The `airlock` command (bin/airlock.js; bundled to dist/cli/, a folder the Jenkins library
// carries in its resources). Its stdout carries only its own result: what libraries print there
// (workflow commands of @actions/*) is routed into its log.
import { fdSink } from '../runtime/fd-sink.js';
import { ForeignOutput } from './foreign-output.js';
import { runCli } from './run.js';

const stderr = fdSink(2);
// process.stdout is taken over only once a command runs, the only time a library can print
// there: creating it earlier would load Node's stream modules for every `--help` and usage error.
const foreign = new ForeignOutput(stderr, () => {
  process.stdout.write = foreign.write as typeof process.stdout.write;
});

void runCli(process.argv.slice(2), {
  stdout: fdSink(1),
  stderr,
  env: process.env,
  cwd: process.cwd(),
  foreign,
}).then((code) => {
  process.exitCode = code;
});
