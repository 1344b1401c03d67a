import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Runs git in `cwd` with a fixed identity and no user or system configuration. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      GIT_AUTHOR_NAME: 'a',
      GIT_AUTHOR_EMAIL: 'a@example.com',
      GIT_COMMITTER_NAME: 'a',
      GIT_COMMITTER_EMAIL: 'a@example.com',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
    },
  }).trim();
}

function commitFile(dir: string, file: string, message: string): void {
  fs.writeFileSync(path.join(dir, file), `${file}\n`);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', message);
}

/**
 * A checkout as Jenkins' multibranch pull-request build makes it with the "merge with the target"
 * strategy: HEAD is a local merge commit whose second parent is the pull request's head.
 */
export function mergeCheckout(dir: string): { base: string; prHead: string; merge: string } {
  git(dir, 'init', '-q', '-b', 'main');
  commitFile(dir, 'a.txt', 'base');
  git(dir, 'checkout', '-q', '-b', 'feature');
  commitFile(dir, 'b.txt', 'pr change');
  const prHead = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', 'main');
  commitFile(dir, 'c.txt', 'target moved on');
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'merge', '-q', '--no-ff', '-m', 'Merge commit into main', 'feature');
  return { base, prHead, merge: git(dir, 'rev-parse', 'HEAD') };
}
