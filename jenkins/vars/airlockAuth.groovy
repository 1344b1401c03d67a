import io.airlock.AirlockCli

/** Runs `airlock auth` with the given arguments; see airlockAuth.txt. Returns the CLI's JSON result. */
Map call(Map args = [:]) {
  return new AirlockCli(this).run('airlockAuth', 'auth', args)
}
