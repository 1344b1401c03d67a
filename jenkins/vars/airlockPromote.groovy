import io.airlock.AirlockCli

/** Runs `airlock promote` with the given arguments; see airlockPromote.txt. Returns the CLI's JSON result. */
Map call(Map args = [:]) {
  return new AirlockCli(this).run('airlockPromote', 'promote', args)
}
