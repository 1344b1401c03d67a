import fs from 'node:fs';
import path from 'node:path';
import { requireBundle } from './actions-support.js';
import { ROOT, runAction, type ActionRun } from '../helpers/runner.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/server.js';

/** Each action: its action.yml and its bundle's folder under dist/. */
const ACTIONS: Array<[string, string]> = [
  ['auth/action.yml', 'auth'],
  ['push/action.yml', 'push'],
  ['gate/action.yml', 'gate'],
  ['promote/action.yml', 'promote'],
  ['action.yml', 'pipeline'],
];

/**
 * A module hook, registered through NODE_OPTIONS, that appends the URL of every module the
 * process loads to the file AIRLOCK_LOAD_LOG names: what a bundle reads, chunk by chunk.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.AIRLOCK_LOAD_LOG, url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;
const NODE_OPTIONS = `--import=data:text/javascript,${encodeURIComponent(REGISTER)}`;

/** The files (not built-in modules) a run loaded, relative to the repository. */
function loadedFiles(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => path.relative(ROOT, new URL(url).pathname));
}

/** Inputs every action accepts, pointing at `url`; what a step does with them is beside the point. */
function inputsFor(url: string): Record<string, string> {
  return {
    'api-url': url,
    'api-key': 'startup-key',
    owner: 'acme',
    repo: 'dev',
    files: 'package.json',
    packages: '[{"slug_perm":"p1","name":"app","version":"1.0.0"}]',
    destination: 'prod',
    'gate-result': 'pass',
    retries: '0',
    'wait-timeout': '1s',
  };
}

describe.each(ACTIONS)('the bundle of %s', (action, name) => {
  let dir: string;
  let server: ScriptedServer;

  beforeAll(async () => {
    requireBundle(name);
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    dir = tempDir('airlock-startup-');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function run(inputs: Record<string, string>): Promise<{ run: ActionRun; files: string[] }> {
    const log = path.join(dir, 'loaded.log');
    const result = await runAction({
      action,
      inputs,
      env: { NODE_OPTIONS, AIRLOCK_LOAD_LOG: log },
      timeoutMs: 30_000,
    });
    return { run: result, files: loadedFiles(log) };
  }

  it('reads its inputs with nothing loaded but its index.js, and fails at once on a missing one', async () => {
    const { run: result, files } = await run({ 'api-url': '' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^::error::Input .*api-url/m);
    expect(files).toEqual([`dist/${name}/index.js`]);
  });

  it('loads its step from chunks inside its own dist folder once the inputs are good', async () => {
    const { run: result, files } = await run(inputsFor(server.url));
    // The stand-in answers 404 to everything: the step fails, but it ran (its own error, not a loader's).
    expect(result.code).toBe(1);
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
    expect(result.stdout).toMatch(/^::error::/m);
    expect(files[0]).toBe(`dist/${name}/index.js`);
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expect(path.dirname(file)).toBe(`dist/${name}`);
  });
});
