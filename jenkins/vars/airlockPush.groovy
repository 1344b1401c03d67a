import io.airlock.AirlockCli

/** Runs `airlock push` with the given arguments; see airlockPush.txt. Returns the CLI's JSON result. */
Map call(Map args = [:]) {
  return new AirlockCli(this).run('airlockPush', 'push', args)
}
