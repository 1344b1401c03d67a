import { execFile } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Where .ci/tools.d installs the pinned tools (the same default as the scripts there). */
export const TOOLS = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools');
/** pip, twine (python-clients.sh). */
export const CLIENTS = process.env.AIRLOCK_PYTHON_CLIENTS ?? path.join(TOOLS, 'python-clients', 'bin');
/** pypiserver with gunicorn and its listing cache (pypi-peers.sh). */
export const PYPISERVER = process.env.AIRLOCK_PYPISERVER_BENCH ?? path.join(TOOLS, 'pypiserver-bench', 'bin');
/** devpi-init and devpi-server (pypi-peers.sh). */
export const DEVPI = process.env.AIRLOCK_DEVPI ?? path.join(TOOLS, 'devpi', 'bin');

/** What a command printed (stdout then stderr) and its exit code. */
export interface Ran {
  code: number;
  out: string;
}

/**
 * Runs a Python tool with an environment of its own: no user pip configuration, no prompts, no
 * keyring, so that only the index under test answers it.
 */
export function runTool(command: string, args: string[], timeoutMs = 600_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? os.tmpdir(),
          NO_COLOR: '1',
          PIP_CONFIG_FILE: os.devNull,
          PIP_DISABLE_PIP_VERSION_CHECK: '1',
          PIP_NO_INPUT: '1',
          PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
        },
        maxBuffer: 16 * 1024 * 1024,
        timeout: timeoutMs,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** A port nothing listens on at the moment. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Polls `url` until it answers 2xx, or throws naming `what` after `seconds`. */
export async function waitUntilUp(
  url: string,
  what: string,
  seconds: number,
  alive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what} exited at start`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer within ${seconds} s`);
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Seconds `fn` takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}
