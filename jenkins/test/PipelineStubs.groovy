/**
 * Stand-ins for the Jenkins pipeline steps the library calls. They record what the library asked
 * for (command lines, credential bindings, environment) and answer as Jenkins would.
 */
class PipelineStubs {

  /** The `type` of a file credential binding. */
  static final String FILE_BINDING = 'file'
  /** The encoding of every file the stubs read and write. */
  static final String UTF8 = 'UTF-8'

  /** Thrown by the `error` step, as Jenkins' error() aborts the build. */
  static class PipelineError extends RuntimeException {

    PipelineError(String message) {
      super(message)
    }

  }

  List<Map> shCalls = []
  List<List> credentialCalls = []
  List<String> unstableCalls = []
  List<String> echoes = []
  Map<String, String> writtenFiles = [:]
  /** The library's resources folder: libraryResource reads the real files there. */
  File resources
  /** When set, writeFile also writes each file under this folder, as into a real workspace. */
  File workspace
  Map<String, String> env = [:]
  /** Exit code the next `sh` returns. */
  int exitCode = 0
  /** What `readJSON` returns for the result file. */
  Map result = [verdict: 'pass']
  /** Fake secret values put into the environment by `withCredentials`. */
  Map<String, String> secrets = [
    AIRLOCK_API_KEY: 'sekret-api-key',
    AIRLOCK_OIDC_TOKEN: 'sekret-oidc',
    GITHUB_TOKEN: 'sekret-gh',
  ]

  /** Binds every stub into a script's binding. */
  void install(Script script) {
    Map<String, Closure> steps = [
      env: null,
      sh: { Map m ->
        shCalls << [script: m.script, env: new LinkedHashMap(env), returnStatus: m.returnStatus]
        return exitCode
      },
      withEnv: { List pairs, Closure body ->
        Map<String, String> added = pairs.collectEntries { String p ->
          int i = p.indexOf('=')
          [(p[0..<i]): p.substring(i + 1)]
        }
        return withAdded(added, body)
      },
      withCredentials: { List bindings, Closure body ->
        credentialCalls << bindings
        Map<String, String> added = bindings.collectEntries { Map bnd ->
          [(bnd.variable): bnd.type == FILE_BINDING ? '/tmp/cred-file' : secrets[bnd.variable]]
        }
        return withAdded(added, body)
      },
      string: { Map m -> [type: 'string'] + m },
      file: { Map m -> [type: FILE_BINDING] + m },
      // The stubs read and write real files: a test process, not a Jenkins controller.
      /* groovylint-disable-next-line JavaIoPackageAccess */
      libraryResource: { String path -> new File(resources, path).getText(UTF8) },
      writeFile: { Map m ->
        writtenFiles[m.file] = m.text
        if (workspace) {
          /* groovylint-disable-next-line JavaIoPackageAccess */
          File target = new File(workspace, m.file)
          target.parentFile.mkdirs()
          target.setText(m.text, UTF8)
        }
      },
      fileExists: { String path -> true },
      readJSON: { Map m -> result },
      error: { String message -> throw new PipelineError(message) },
      unstable: { String message -> unstableCalls << message },
      echo: { String message -> echoes << message },
    ]
    Binding binding = script.binding
    binding.setVariable('env', env)
    steps.findAll { String name, Closure step -> step != null }.each { String name, Closure step ->
      binding.setVariable(name, step)
    }
  }

  /** Runs `body` with `added` in the environment, then restores it as Jenkins' block steps do. */
  private Object withAdded(Map<String, String> added, Closure body) {
    Map<String, String> saved = new LinkedHashMap(env)
    env.putAll(added)
    Object value
    try {
      value = body()
    } finally {
      env.clear()
      env.putAll(saved)
    }
    return value
  }

}
