import path from 'node:path';

/**
 * Resolves `relative` inside `root` and refuses anything that would leave it (`..`, absolute
 * paths, NUL bytes). Every path built from user input goes through here.
 */
export function resolveInside(root: string, relative: string): string {
  if (relative.includes('\0')) throw new Error('Path contains a NUL byte.');
  if (path.isAbsolute(relative)) throw new Error(`Path must be relative: ${relative}`);
  const base = path.resolve(root);
  const full = path.resolve(base, relative);
  if (full !== base && !full.startsWith(base + path.sep))
    throw new Error(`Path escapes its root: ${relative}`);
  return full;
}

/**
 * Checks an uploaded file name: a plain base name, no directory parts, no control characters.
 * Returns the reason it is refused, or null when it is acceptable.
 */
export function filenameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty';
  if (name.length > 255) return 'must be at most 255 characters';
  if (name.includes('\0')) return 'must not contain a NUL byte';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'must not contain control characters';
  if (name.includes('/') || name.includes('\\')) return 'must be a file name, not a path';
  if (name === '.' || name === '..' || name.includes('..')) return "must not contain '..'";
  return null;
}
