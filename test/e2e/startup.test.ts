import fs from 'node:fs';
import path from 'node:path';
import { requireBundle } from './actions-support.js';
import { ROOT, runAction, type ActionRun } from '../helpers/runner.js';
import { runProcess, type ProcessRun } from '../cli/processes.js';
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
 * A file preloaded with `--require` (through NODE_OPTIONS) that appends the path of every
 * CommonJS module the process compiles to the file AIRLOCK_LOAD_LOG names: what a bundle reads,
 * chunk by chunk. The bundles are CommonJS, so a bundle that became an ES module again would log
 * nothing and fail the tests below.
 */
const PRELOAD = `const Module = require('node:module');
const fs = require('node:fs');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  fs.appendFileSync(process.env.AIRLOCK_LOAD_LOG, filename + '\\n');
  return compile.apply(this, arguments);
};
`;

let preloadDir: string;
let nodeOptions: string;
beforeAll(() => {
  preloadDir = tempDir('airlock-startup-preload-');
  fs.writeFileSync(path.join(preloadDir, 'log-loads.cjs'), PRELOAD);
  nodeOptions = `--require ${path.join(preloadDir, 'log-loads.cjs')}`;
});
afterAll(() => fs.rmSync(preloadDir, { recursive: true, force: true }));

/** The files a run compiled, relative to the repository. */
function loadedFiles(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((file) => path.relative(ROOT, file));
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
      env: { NODE_OPTIONS: nodeOptions, AIRLOCK_LOAD_LOG: log },
      timeoutMs: 30_000,
    });
    return { run: result, files: loadedFiles(log) };
  }

  it('reads its inputs with nothing loaded but its index.js, and fails at once on a missing one', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', name, 'package.json'), 'utf8')) as {
      type?: string;
    };
    // CommonJS: Node 20 starts it without initialising its ES module loader.
    expect(pkg.type).toBe('commonjs');
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

describe('the CLI bundle', () => {
  let dir: string;
  let server: ScriptedServer;

  beforeAll(async () => {
    requireBundle('cli');
    server = await startScriptedServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    dir = tempDir('airlock-startup-cli-');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(args: string[]): Promise<{ run: ProcessRun; files: string[] }> {
    const log = path.join(dir, 'loaded.log');
    const result = await runProcess(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, NODE_OPTIONS: nodeOptions, AIRLOCK_LOAD_LOG: log },
      timeoutMs: 30_000,
    });
    return { run: result, files: loadedFiles(log) };
  }

  it.each([
    ['no command (the usage)', [], 1, /^airlock — /m],
    ["a command's --help", ['gate', '--help'], 0, /^airlock gate — /m],
    ['a missing flag', ['gate'], 1, /^error: --api-url \(or AIRLOCK_API_URL\) is required/m],
    [
      'a bad flag value',
      [
        'gate',
        '--api-url',
        'http://x',
        '--api-key',
        'startup-key',
        '--owner',
        'acme',
        '--repo',
        'dev',
        '--packages',
        '[{"slug_perm":"p1"}]',
        '--fail-on',
        'severe',
      ],
      1,
      /^error: --fail-on .*"severe" is not a severity level/m,
    ],
    ['an unknown flag', ['push', '--nope'], 1, /^error: .*--nope/m],
  ])('answers %s with nothing loaded but its index.js', async (_what, args, code, message) => {
    const { run: result, files } = await cli(args);
    expect(result.code).toBe(code);
    expect(`${result.stdout}${result.stderr}`).toMatch(message);
    expect(files).toEqual(['dist/cli/index.js']);
  });

  it('loads the step of a command from chunks inside its own dist folder once the flags are good', async () => {
    const { run: result, files } = await cli([
      'whoami',
      '--api-url',
      server.url,
      '--api-key',
      'startup-key',
      '--retries',
      '0',
      '--json',
    ]);
    // The stand-in answers 404 to everything: the command fails, but its step ran.
    expect(result.code).toBe(1);
    expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'whoami', ok: false });
    expect(files[0]).toBe('dist/cli/index.js');
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expect(path.dirname(file)).toBe('dist/cli');
  });
});
