/* groovylint-disable DuplicateListLiteral, DuplicateStringLiteral */
// The argument tables below name the same arguments for several subcommands, by design: each
// list reads as the subcommand's flags. Constants for them would hide that.
package io.airlock

/**
 * Runs the bundled `airlock` CLI from a pipeline step. Holds no logic of its own beyond mapping
 * step arguments to CLI flags, binding credentials and mapping the exit code: the CLI does the work.
 */
class AirlockCli implements Serializable {

  private static final long serialVersionUID = 1L

  /**
   * Where the CLI lives inside the library's resources: a folder (index.js, the chunks it loads
   * on demand, a package.json) with files.txt naming its files, as a resource folder cannot be
   * listed from a pipeline.
   */
  static final String RESOURCE_DIR = 'io/airlock/cli'

  /** Where the CLI's files are written in the workspace; AIRLOCK_CLI names its index.js. */
  static final String CLI_DIR = '.airlock/cli'

  /** The CLI's exit codes. */
  static final int EXIT_OK = 0
  static final int EXIT_GATE_FAILED = 2

  /** Arguments passed to every subcommand as flags: where the repository is and how to authenticate. */
  static final List<String> CONNECTION = ['apiUrl', 'org', 'serviceSlug', 'audience']

  /** Arguments every step takes that are not flags: credentials, the fail mode and the node binary. */
  static final List<String> STEP_ONLY = ['apiKeyCredentialsId', 'oidcCredentialsId', 'oidcCredentialsKind',
                                         'githubTokenCredentialsId', 'failMode', 'node']

  /** Arguments of steps that report to GitHub: which commit and repository (see the CLI's --sha). */
  static final List<String> REPORTING = ['comment', 'checkName', 'sha', 'githubRepository']

  /** The gate's rules, shared by the gate and the pipeline. */
  static final List<String> RULES = ['waitTimeout', 'onTimeout', 'onScanError', 'onIncomplete', 'maxAdvisoryAge',
                                     'failOn', 'maxCritical', 'maxHigh', 'maxMedium', 'maxLow', 'ignoreUnfixed',
                                     'unknownSeverity', 'unknownLicense', 'allowlist', 'denyLicenses']

  /** What to push, shared by push and the pipeline. */
  static final List<String> PUSH = ['owner', 'repo', 'files', 'format', 'name', 'version', 'tags', 'republish',
                                    'parallel']

  /**
   * Options of each subcommand besides {@link #CONNECTION}, as Groovy argument names (camelCase of
   * the CLI's --kebab-case flags, which are the GitHub Actions inputs of the same step).
   */
  static final Map<String, List<String>> OPTIONS = [
    auth    : ['retries', 'npmRepository', 'npmrc'],
    push    : ['retries'] + PUSH,
    gate    : ['retries', 'owner', 'repo', 'packages'] + RULES + REPORTING,
    promote : ['retries', 'owner', 'repo', 'packages', 'destination', 'mode', 'tags', 'quarantineOnFail',
               'gateResult', 'waitTimeout'] + REPORTING,
    pipeline: ['retries', 'npmRepository', 'npmrc'] + PUSH + RULES +
              ['destination', 'mode', 'quarantineOnFail'] + REPORTING,
  ]

  private final Object script

  AirlockCli(Object script) {
    this.script = script
  }

  /** `fooBar` → `--foo-bar`. A plain loop: a closure passed to a GDK method misbehaves under Jenkins' CPS. */
  static String flag(String name) {
    StringBuilder out = new StringBuilder('--')
    for (char c : name.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c))
      } else {
        out.append(c)
      }
    }
    return out.toString()
  }

  /** Single-quotes a value for sh: the value can never break out of its argument. */
  static String quote(Object value) {
    return "'" + String.valueOf(value).replace("'", "'\"'\"'") + "'"
  }

  /** Checks the step's arguments against what it accepts; names the first unknown one. */
  static void checkArgs(String step, Map args, List<String> accepted) {
    for (String key : args.keySet()) {
      if (!accepted.contains(key)) {
        throw new IllegalArgumentException(
          "${step}: unknown argument '${key}'. Accepted: ${accepted.sort().join(', ')}")
      }
    }
    String failMode = args.failMode ?: 'error'
    if (!(failMode in ['error', 'unstable'])) {
      throw new IllegalArgumentException("${step}: failMode must be 'error' or 'unstable', not '${failMode}'")
    }
  }

  /** A step argument as the CLI takes it: a list of globs or tags is one newline-separated value. */
  static String flagValue(Object value) {
    return value in Collection ? ((Collection) value).join('\n') : String.valueOf(value)
  }

  /** The CLI command line for a subcommand (no secrets: they travel in the environment). */
  static String commandLine(String subcommand, Map args, List<String> options) {
    // The shell, not Groovy, expands these: single quotes keep them out of any GString.
    /* groovylint-disable-next-line GStringExpressionWithinString */
    List<String> parts = ['set +x;', '"${AIRLOCK_NODE:-node}"', '"$AIRLOCK_CLI"', subcommand, '--json', '--output',
                          '"$AIRLOCK_RESULT"']
    for (String key : (CONNECTION + options)) {
      Object value = args[key]
      if (value != null) {
        parts << flag(key) << quote(flagValue(value))
      }
    }
    return parts.join(' ')
  }

  /** The names of the CLI's files, from the resources' files.txt. A plain loop, for Jenkins' CPS. */
  static List<String> cliFiles(String listing) {
    List<String> files = []
    for (String line : listing.split('\n')) {
      String name = line.trim()
      if (name) {
        files << name
      }
    }
    return files
  }

  /** The credential bindings the arguments ask for. */
  List credentialBindings(Map args) {
    List bindings = []
    if (args.apiKeyCredentialsId) {
      bindings << script.string(credentialsId: args.apiKeyCredentialsId, variable: 'AIRLOCK_API_KEY')
    }
    if (args.oidcCredentialsId) {
      if ((args.oidcCredentialsKind ?: 'idToken') == 'idTokenFile') {
        bindings << script.file(credentialsId: args.oidcCredentialsId, variable: 'AIRLOCK_OIDC_TOKEN_FILE')
      } else {
        bindings << script.string(credentialsId: args.oidcCredentialsId, variable: 'AIRLOCK_OIDC_TOKEN')
      }
    }
    if (args.githubTokenCredentialsId) {
      bindings << script.string(credentialsId: args.githubTokenCredentialsId, variable: 'GITHUB_TOKEN')
    }
    return bindings
  }

  /** Writes every file of the CLI into the workspace; returns the path of its entry file. */
  String writeCli() {
    for (String file : cliFiles(script.libraryResource("${RESOURCE_DIR}/files.txt"))) {
      script.writeFile(file: "${CLI_DIR}/${file}", text: script.libraryResource("${RESOURCE_DIR}/${file}"))
    }
    return "${CLI_DIR}/index.js"
  }

  /**
   * Runs a subcommand: writes the CLI's files into the workspace, binds credentials, runs it, reads
   * its JSON result back and maps the exit code (0 ok, 2 gate failed → error or unstable as
   * `failMode` says, anything else → error). Returns the result map.
   */
  Map run(String step, String subcommand, Map args) {
    List<String> options = OPTIONS[subcommand] ?: []
    checkArgs(step, args, CONNECTION + STEP_ONLY + options)
    String result = ".airlock/${subcommand}-result.json"
    String cli = writeCli()
    int status = EXIT_OK
    List envs = ["AIRLOCK_CLI=${cli}", "AIRLOCK_RESULT=${result}"]
    if (args.node) {
      envs << "AIRLOCK_NODE=${args.node}"
    }
    script.withEnv(envs) {
      script.withCredentials(credentialBindings(args)) {
        status = script.sh(script: commandLine(subcommand, args, options), returnStatus: true)
      }
    }
    Map parsed = script.fileExists(result) ? (script.readJSON(file: result) as Map) : [:]
    if (status == EXIT_GATE_FAILED) {
      String message = "Airlock ${subcommand}: the gate failed" + (parsed.summary ? " — ${parsed.summary}" : '')
      if ((args.failMode ?: 'error') == 'unstable') {
        script.unstable(message)
      } else {
        script.error(message)
      }
    } else if (status != EXIT_OK) {
      script.error("Airlock ${subcommand} failed (exit ${status})" + (parsed.error ? ": ${parsed.error}" : ''))
    }
    return parsed
  }

}
