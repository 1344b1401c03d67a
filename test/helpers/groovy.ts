import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A JAVA_HOME that has a java binary: the environment's, else the first JDK under /usr/lib/jvm. */
export function findJavaHome(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [
    env.JAVA_HOME,
    ...(fs.existsSync('/usr/lib/jvm')
      ? fs
          .readdirSync('/usr/lib/jvm')
          .sort()
          .map((d) => path.join('/usr/lib/jvm', d))
      : []),
  ];
  for (const dir of candidates) if (dir && fs.existsSync(path.join(dir, 'bin', 'java'))) return dir;
  throw new Error(
    'No Java runtime found for groovy: install a JDK (.ci/run installs the groovy package, which brings one).',
  );
}

/** Runs a Groovy script with Debian's `groovy`; returns stdout, throwing with stderr on failure. */
export function runGroovy(script: string, args: string[]): { stdout: string; code: number; stderr: string } {
  try {
    const stdout = execFileSync('groovy', [script, ...args], {
      env: { ...process.env, JAVA_HOME: findJavaHome() },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { stdout, code: 0, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string; code?: string };
    if (e.code === 'ENOENT')
      throw new Error("The 'groovy' command is missing: apt-get install groovy (.ci/run does).");
    return { stdout: e.stdout ?? '', code: e.status ?? 1, stderr: e.stderr ?? '' };
  }
}
