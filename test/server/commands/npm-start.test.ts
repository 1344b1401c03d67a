import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../helpers/server.js';
import { freePort } from '../../helpers/ports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every process below `pid`, read from /proc (each process's parent is field 4 of its stat line). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while the list was read.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the accumulated stderr once `pattern` appears in it; rejects when the process ends first. */
function waitForOutput(child: ChildProcess, pattern: RegExp, text: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (pattern.test(text())) {
        child.stderr!.off('data', check);
        child.off('exit', ended);
        resolve();
      }
    };
    const ended = (code: number | null): void =>
      reject(new Error(`npm start ended (${code}) before the service listened:\n${text()}`));
    child.stderr!.on('data', check);
    child.once('exit', ended);
    check();
  });
}

describe('npm start', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let started: number[] = [];

  beforeAll(() => {
    dir = tempDir('airlock-npm-start-');
    // The project's own start script, run by npm as a user runs it; only `build` is a no-op here:
    // lib/ is built already, and rebuilding it would rewrite files other suites are loading.
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'start-check',
        private: true,
        scripts: { build: 'true', start: scripts.start },
      }),
    );
    fs.symlinkSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'));
  });

  afterAll(() => {
    // Whatever a failed run left behind, by the ids this suite saw.
    for (const pid of [child?.pid, ...started]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops the service too when npm gets SIGTERM, leaving no process behind', async () => {
    const port = await freePort();
    let stderr = '';
    child = spawn('npm', ['start'], {
      cwd: dir,
      env: { ...process.env, AIRLOCK_PORT: String(port), AIRLOCK_ADVISORIES_SYNC_INTERVAL: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitForOutput(child, /Airlock repository service on http:\/\/127\.0\.0\.1:\d+/, () => stderr);
    started = descendants(child.pid!);
    expect(started.length).toBeGreaterThan(0);

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.kill('SIGTERM');
    // npm forwards the signal and exits as its script did: had the service not handled it (and
    // died of it), npm would end by the same signal; 0 is the service's own drained exit.
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(started.filter(alive)).toEqual([]);
    // The port is free again: nothing kept listening on it.
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  }, 60_000);
});
