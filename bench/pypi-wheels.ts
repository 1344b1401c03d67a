import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENTS, runTool, TOOLS } from './pypi-tools.js';

/** The pinned list of real projects whose wheels the benchmark installs. */
export const REQUIREMENTS = fileURLToPath(new URL('../../bench/pypi-wheels.txt', import.meta.url));

/** The benchmark's wheels: the folder holding them and their file names, sorted. */
export interface WheelSet {
  dir: string;
  files: string[];
}

function pinnedCount(): number {
  return fs
    .readFileSync(REQUIREMENTS, 'utf8')
    .split('\n')
    .filter((l) => /^[A-Za-z0-9]/.test(l)).length;
}

function wheelsIn(dir: string): string[] {
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.whl'))
        .sort()
    : [];
}

/**
 * The wheels of bench/pypi-wheels.txt for this interpreter, from a cache under the tools folder
 * keyed by the list and the interpreter; fetched with pip from its default index the first time.
 * Returns why not when they cannot be had (no network, no pip), so the benchmark can say so.
 */
export async function realWheels(): Promise<WheelSet | { missing: string }> {
  const pip = path.join(CLIENTS, 'pip');
  if (!fs.existsSync(pip)) return { missing: `no pip at ${pip} (.ci/tools.d/python-clients.sh installs it)` };
  const tag = await runTool('python3', [
    '-c',
    'import sys, sysconfig; print(sys.implementation.cache_tag, sysconfig.get_platform())',
  ]);
  if (tag.code !== 0) return { missing: `python3 did not run: ${tag.out.trim()}` };
  const key = crypto
    .createHash('sha256')
    .update(fs.readFileSync(REQUIREMENTS))
    .update(tag.out.trim())
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(TOOLS, 'pypi-bench-wheels', key);
  const want = pinnedCount();
  if (wheelsIn(dir).length === want) return { dir, files: wheelsIn(dir) };
  // Downloaded beside the cache and renamed into place, so an interrupted download is never used.
  const partial = `${dir}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  const got = await runTool(pip, [
    'download',
    '--quiet',
    '--only-binary=:all:',
    '--no-deps',
    '--dest',
    partial,
    '--requirement',
    REQUIREMENTS,
  ]);
  const files = wheelsIn(partial);
  if (got.code !== 0 || files.length !== want) {
    fs.rmSync(partial, { recursive: true, force: true });
    const last = got.out.trim().split('\n').at(-1) ?? '';
    return { missing: `pip could not fetch the ${want} pinned wheels (${files.length} fetched): ${last}` };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(partial, dir);
  return { dir, files };
}
