import io.airlock.AirlockCli

/** Runs `airlock gate` with the given arguments; see airlockGate.txt. Returns the CLI's JSON result. */
Map call(Map args = [:]) {
  return new AirlockCli(this).run('airlockGate', 'gate', args)
}
