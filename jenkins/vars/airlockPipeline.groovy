import io.airlock.AirlockCli

/** Runs `airlock pipeline` with the given arguments; see airlockPipeline.txt. Returns the CLI's JSON result. */
Map call(Map args = [:]) {
  return new AirlockCli(this).run('airlockPipeline', 'pipeline', args)
}
