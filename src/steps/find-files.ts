import path from 'node:path';
import * as glob from '@actions/glob';

/** Expands glob patterns to files: injected into the push step (the default is {@link globFiles}). */
export type FileFinder = (patterns: string[], cwd: string) => Promise<string[]>;

/** Lists the files a set of patterns matches (`!` patterns exclude), sorted, without directories. */
async function expand(patterns: string[]): Promise<string[]> {
  const globber = await glob.create(patterns.join('\n'), {
    matchDirectories: false,
    implicitDescendants: false,
  });
  return (await globber.glob()).sort();
}

/** Makes a pattern absolute against `cwd`, keeping a leading `!`. */
function anchor(pattern: string, cwd: string): string {
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const absolute = path.isAbsolute(body) ? body : path.join(cwd, body);
  return negated ? `!${absolute}` : absolute;
}

/**
 * Expands the `files` patterns with @actions/glob (the runner's glob syntax: `*`, `**`, `?`,
 * `[…]`, `!` to exclude), relative to `cwd`. Throws, naming the pattern, when a pattern matches
 * no file — a typo must not pass as "nothing to push" — or when all matches were excluded.
 */
export const globFiles: FileFinder = async (patterns, cwd) => {
  const anchored = patterns.map((p) => anchor(p, cwd));
  for (const [i, pattern] of patterns.entries()) {
    if (pattern.startsWith('!')) continue;
    if ((await expand([anchored[i]!])).length === 0) {
      throw new Error(
        `Input files: '${pattern}' matches no file (relative to ${cwd}); give one glob per line such as dist/*.tgz or build/**/*.whl, and check the build produced it.`,
      );
    }
  }
  const files = await expand(anchored);
  if (files.length === 0) {
    throw new Error(
      `Input files: every file matched was excluded by a ! pattern (${patterns.join(', ')}); nothing to push.`,
    );
  }
  return files;
};
