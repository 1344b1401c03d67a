import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestServer } from '../../helpers/server.js';
import { tempDir } from '../../helpers/server.js';

/** What one run of a client printed, and how it exited. */
export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A package client (npm, pnpm, yarn) pointed at one registry, with its own home, config and cache. */
export interface RegistryClient {
  home: string;
  registry: string;
  /** The user config (`.npmrc`) holding the registry and its token. */
  npmrc: string;
  env: NodeJS.ProcessEnv;
  run(command: string, args: string[], cwd: string): Promise<ClientRun>;
  close(): void;
}

/**
 * A clean environment for a client: no npm_* variables of the process running the tests (npm
 * itself sets them for its scripts), a temporary HOME, and the given user config.
 */
export function createClient(server: TestServer, repo: string, token: string): RegistryClient {
  const home = tempDir('airlock-npm-home-');
  const registry = `${server.url}/npm/${server.org}/${repo}/`;
  const npmrc = path.join(home, '.npmrc');
  const authKey = registry.replace(/^https?:/, '');
  fs.writeFileSync(npmrc, `registry=${registry}\n${authKey}:_authToken=${token}\n`, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^(npm_|NPM_CONFIG_|YARN_|PNPM_)/i.test(k)) env[k] = v;
  Object.assign(env, {
    HOME: home,
    npm_config_userconfig: npmrc,
    npm_config_cache: path.join(home, 'cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_loglevel: 'warn',
  });
  return {
    home,
    registry,
    npmrc,
    env,
    run: (command, args, cwd) =>
      new Promise((resolve) => {
        execFile(
          command,
          args,
          { cwd, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
          },
        );
      }),
    close: () => fs.rmSync(home, { recursive: true, force: true }),
  };
}

/** Writes a package folder (package.json and an index.js) under `root`; returns its path. */
export function writePackage(root: string, manifest: Record<string, unknown>): string {
  const dir = path.join(root, `${String(manifest.name).replace('/', '__')}-${String(manifest.version)}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'index.js'), `module.exports = ${JSON.stringify(manifest.version)};\n`);
  return dir;
}
