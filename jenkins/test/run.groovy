/* groovylint-disable CatchRuntimeException, CatchThrowable, DuplicateListLiteral, DuplicateNumberLiteral */
/* groovylint-disable DuplicateStringLiteral, JavaIoPackageAccess, NoDef, SystemErrPrint, SystemExit */
/* groovylint-disable VariableTypeRequired */
// This file is the harness's command-line driver, not library code: it reads and writes local
// files, reports to stderr, sets the process's exit status and turns any failure of a case
// (assertion errors included) into a reported result; the pipeline's error() is a
// RuntimeException from a class loaded at run time. Test cases repeat their fixture values on
// purpose, and `def (script, stubs) = load(…)` is Groovy's only multiple assignment.

// Loads each vars/ step with stubbed pipeline steps and checks the command lines, credential
// bindings and exit-code mapping. Prints `N passed, N failed` and writes a JSON report
// (argument 1) with each case and what it captured: the command lines, and for a realistic job
// the environment each ran in (test/e2e/jenkins.test.ts runs those for real).
import groovy.json.JsonOutput

File root = new File(getClass().protectionDomain.codeSource.location.path).parentFile.parentFile
GroovyShell shell = new GroovyShell(this.class.classLoader)
shell.classLoader.addClasspath(new File(root, 'src').path)
shell.classLoader.addClasspath(new File(root, 'test').path)
Class stubsClass = shell.classLoader.loadClass('PipelineStubs')
Class cliClass = shell.classLoader.loadClass('io.airlock.AirlockCli')

List results = []

Closure load = { String step ->
  Script script = shell.parse(new File(root, "vars/${step}.groovy"))
  Object stubs = stubsClass.newInstance()
  stubs.resources = new File(root, 'resources')
  stubs.install(script)
  [script, stubs]
}

Closure check = { String name, Closure body ->
  try {
    Map captured = body() ?: [:]
    results << [name: name, ok: true] + captured
  } catch (Throwable t) {
    results << [name: name, ok: false, error: t.toString()]
  }
}

Closure fail = { String message -> throw new AssertionError(message) }

Closure shQuoteRoundTrip = { String value ->
  Process p = ['bash', '-c', 'printf %s ' + cliClass.quote(value)].execute()
  p.waitFor()
  p.inputStream.text
}

for (String step : ['airlockAuth', 'airlockPush', 'airlockGate', 'airlockPromote', 'airlockPipeline']) {
  check("${step} has a help file beside it that documents every argument") {
    String help = new File(root, "vars/${step}.txt").text
    assert help.contains(step)
    String subcommand = (step - 'airlock').toLowerCase()
    List<String> accepted = cliClass.CONNECTION + cliClass.STEP_ONLY + cliClass.OPTIONS[subcommand]
    List<String> missing = accepted.findAll { String arg -> !help.contains("<code>${arg}</code>") }
    assert missing.empty: "${step}.txt does not document ${missing}"
    null
  }
}

check('airlockGate maps arguments to CLI flags and keeps secrets out of the command line') {
  def (script, stubs) = load('airlockGate')
  Map out = script.call(apiUrl: 'http://127.0.0.1:8080', apiKeyCredentialsId: 'airlock-key', owner: 'acme', repo: 'dev',
                        failOn: 'high', maxCritical: 0, waitTimeout: '5m', ignoreUnfixed: true, allowlist: 'allow.yml',
                        onIncomplete: 'pass', maxAdvisoryAge: '36h')
  assert out == [verdict: 'pass']
  String cmd = stubs.shCalls[0].script
  assert cmd.startsWith('set +x;')
  assert cmd.contains('"$AIRLOCK_CLI" gate --json --output "$AIRLOCK_RESULT"')
  assert cmd.contains("--api-url 'http://127.0.0.1:8080'")
  assert cmd.contains("--fail-on 'high'") && cmd.contains("--max-critical '0'") && cmd.contains("--wait-timeout '5m'")
  assert cmd.contains("--ignore-unfixed 'true'") && cmd.contains("--allowlist 'allow.yml'")
  assert cmd.contains("--on-incomplete 'pass'") && cmd.contains("--max-advisory-age '36h'")
  assert !cmd.contains('sekret') && !cmd.contains('AIRLOCK_API_KEY')
  assert stubs.shCalls[0].returnStatus
  assert stubs.shCalls[0].env.AIRLOCK_API_KEY == 'sekret-api-key'
  assert stubs.credentialCalls[0] == [[type: 'string', credentialsId: 'airlock-key', variable: 'AIRLOCK_API_KEY']]
  assert stubs.shCalls[0].env.AIRLOCK_CLI == '.airlock/cli/index.js'
  List<String> listed = cliClass.cliFiles(new File(root, 'resources/io/airlock/cli/files.txt').text)
  assert listed.containsAll(['index.js', 'package.json']) && listed.size() > 2
  assert stubs.writtenFiles.keySet() as List == listed.collect { String f -> ".airlock/cli/${f}" }
  assert stubs.writtenFiles['.airlock/cli/index.js'] == new File(root, 'resources/io/airlock/cli/index.js').text
  [commands: stubs.shCalls*.script]
}

check('a failed gate (exit 2) fails the build by default') {
  def (script, stubs) = load('airlockGate')
  stubs.exitCode = 2
  stubs.result = [verdict: 'fail', summary: '1 critical']
  try {
    script.call(owner: 'acme', repo: 'dev')
    fail('error() was not called')
  } catch (RuntimeException e) {
    assert e.class.simpleName == 'PipelineError'
    assert e.message.contains('the gate failed') && e.message.contains('1 critical')
  }
  assert stubs.unstableCalls.empty
  null
}

check("a failed gate with failMode 'unstable' marks the build unstable and returns the result") {
  def (script, stubs) = load('airlockGate')
  stubs.exitCode = 2
  stubs.result = [verdict: 'fail']
  Map out = script.call(owner: 'acme', repo: 'dev', failMode: 'unstable')
  assert out.verdict == 'fail'
  assert stubs.unstableCalls.size() == 1
  null
}

check("an error (exit 1) fails the build even with failMode 'unstable'") {
  def (script, stubs) = load('airlockPush')
  stubs.exitCode = 1
  stubs.result = [error: 'files: no file matches dist/*.tgz']
  try {
    script.call(owner: 'acme', repo: 'dev', files: 'dist/*.tgz', failMode: 'unstable')
    fail('error() was not called')
  } catch (RuntimeException e) {
    assert e.class.simpleName == 'PipelineError'
    assert e.message.contains('exit 1') && e.message.contains('no file matches')
  }
  null
}

check('an unknown argument is refused with the accepted ones listed') {
  def (script, stubs) = load('airlockPromote')
  try {
    script.call(destinaton: 'prod')
    fail('no error')
  } catch (IllegalArgumentException e) {
    assert e.message.contains("unknown argument 'destinaton'") && e.message.contains('destination')
  }
  assert stubs.shCalls.empty
  null
}

check('a bad failMode is refused before anything runs') {
  def (script, stubs) = load('airlockGate')
  try {
    script.call(failMode: 'ignore')
    fail('no error')
  } catch (IllegalArgumentException e) {
    assert e.message.contains("failMode must be 'error' or 'unstable'")
  }
  assert stubs.shCalls.empty
  null
}

check('the Jenkins OIDC credential binds as a string (idToken) or a file (idTokenFile)') {
  def (script, stubs) = load('airlockAuth')
  script.call(apiUrl: 'http://x', org: 'acme', serviceSlug: 'ci', oidcCredentialsId: 'jenkins-oidc')
  assert stubs.credentialCalls[0] == [[type: 'string', credentialsId: 'jenkins-oidc', variable: 'AIRLOCK_OIDC_TOKEN']]
  def (script2, stubs2) = load('airlockAuth')
  script2.call(oidcCredentialsId: 'jenkins-oidc', oidcCredentialsKind: 'idTokenFile', githubTokenCredentialsId: 'gh')
  assert stubs2.credentialCalls[0]*.variable == ['AIRLOCK_OIDC_TOKEN_FILE', 'GITHUB_TOKEN']
  assert stubs2.credentialCalls[0][0].type == 'file'
  [commands: stubs.shCalls*.script]
}

check('push passes a list of globs as one newline-separated value') {
  def (script, stubs) = load('airlockPush')
  script.call(owner: 'acme', repo: 'dev', files: ['dist/*.tgz', 'build/*.whl'], tags: 'ci')
  assert stubs.shCalls[0].script.contains("--files 'dist/*.tgz\nbuild/*.whl'")
  [commands: stubs.shCalls*.script]
}

check('a gate that reports to GitHub binds the token and passes which commit and repository') {
  def (script, stubs) = load('airlockGate')
  script.call(githubTokenCredentialsId: 'gh', githubRepository: 'acme/app', sha: 'auto', checkName: 'Airlock')
  String cmd = stubs.shCalls[0].script
  assert cmd.contains("--github-repository 'acme/app'") && cmd.contains("--sha 'auto'")
  assert cmd.contains("--check-name 'Airlock'") && !cmd.contains('sekret-gh')
  assert stubs.shCalls[0].env.GITHUB_TOKEN == 'sekret-gh'
  [commands: stubs.shCalls*.script]
}

check('promote takes the result of an earlier gate as gateResult') {
  def (script, stubs) = load('airlockPromote')
  script.call(destination: 'prod', gateResult: 'pass', mode: 'move', quarantineOnFail: false)
  String cmd = stubs.shCalls[0].script
  assert cmd.contains("--gate-result 'pass'") && cmd.contains("--mode 'move'")
  assert cmd.contains("--quarantine-on-fail 'false'")
  [commands: stubs.shCalls*.script]
}

check('values are quoted so that no shell syntax in them runs') {
  for (String v : ["it's", 'a b', '$(touch /tmp/pwned)', '`id`', "x'; rm -rf /; '", '\\n']) {
    assert shQuoteRoundTrip(v) == v
  }
  null
}

check('the example Jenkinsfile passes only arguments its steps accept') {
  String text = new File(root, 'examples/Jenkinsfile').text
  List<String> seen = []
  (text =~ /(?s)(airlock[A-Z]\w*)\((.*?)\n\s*\)/).each { List<String> m ->
    String subcommand = m[1] - 'airlock'
    List<String> accepted = cliClass.CONNECTION + cliClass.STEP_ONLY + cliClass.OPTIONS[subcommand.toLowerCase()]
    (m[2] =~ /(?m)^\s*(\w+):/).each { List<String> k ->
      assert k[1] in accepted: "${m[1]} does not take ${k[1]}"
    }
    seen << m[1]
  }
  assert seen == ['airlockPipeline']
  null
}

check("each step's arguments are listed for comparison with the CLI's flags") {
  [options: cliClass.OPTIONS, connection: cliClass.CONNECTION]
}

check('a Jenkins job pushes, gates and promotes with its OIDC credential') {
  Map oidc = [org: 'acme', serviceSlug: 'jenkins-ci', oidcCredentialsId: 'airlock-oidc']
  List calls = []
  Closure run = { String step, Map args ->
    def (script, stubs) = load(step)
    script.call(oidc + args)
    Map sh = stubs.shCalls[0]
    assert !sh.script.contains('sekret')
    calls << [step: step, script: sh.script, env: sh.env, bound: stubs.credentialCalls[0]*.variable,
              cli: sh.env.AIRLOCK_CLI]
  }
  run('airlockPush', [owner: 'acme', repo: 'dev', files: ['dist/*.tgz'], tags: 'ci'])
  run('airlockGate', [failOn: 'high', waitTimeout: '60s', failMode: 'unstable'])
  run('airlockPromote', [destination: 'prod', tags: 'released', quarantineOnFail: true,
                         oidcCredentialsKind: 'idTokenFile'])
  assert calls*.bound == [['AIRLOCK_OIDC_TOKEN'], ['AIRLOCK_OIDC_TOKEN'], ['AIRLOCK_OIDC_TOKEN_FILE']]
  assert calls.every { Map c -> c.cli == '.airlock/cli/index.js' && c.env.AIRLOCK_RESULT.startsWith('.airlock/') }
  [calls: calls, commands: calls*.script]
}

check('a step runs the CLI from the files it wrote into the workspace, chunks included') {
  def (script, stubs) = load('airlockAuth')
  File workspace = File.createTempDir('airlock-workspace-', '')
  try {
    stubs.workspace = workspace
    // Nothing listens on port 9: the CLI reads its flags, loads the auth step's chunks and fails
    // on the connection, which only a CLI whose every file was written out gets to.
    script.call(apiUrl: 'http://127.0.0.1:9', apiKeyCredentialsId: 'airlock-key', retries: 0)
    Map sh = stubs.shCalls[0]
    List<String> env = sh.env.collect { String k, String v -> "${k}=${v}" } + ["PATH=${System.getenv('PATH')}"]
    Process p = ['bash', '-c', sh.script].execute(env, workspace)
    String stdout = p.inputStream.text
    String stderr = p.errorStream.text
    int code = p.waitFor()
    Map result = new groovy.json.JsonSlurper().parse(new File(workspace, sh.env.AIRLOCK_RESULT)) as Map
    assert code == 1: "exit ${code}: ${stderr}"
    assert result.command == 'auth' && result.ok == false
    assert String.valueOf(result.error).contains('127.0.0.1:9'): result.error
    assert !(stdout + stderr).contains('Cannot find module') && !(stdout + stderr).contains('sekret')
    [commands: stubs.shCalls*.script]
  } finally {
    workspace.deleteDir()
  }
}

int passed = results.count { Map r -> r.ok }
int failed = results.size() - passed
results.findAll { Map r -> !r.ok }.each { Map r -> System.err.println("FAILED: ${r.name}\n  ${r.error}") }
if (args.length > 0) {
  new File(args[0]).text = JsonOutput.prettyPrint(JsonOutput.toJson(results))
}
println "${passed} passed, ${failed} failed"
System.exit(failed == 0 ? 0 : 1)
