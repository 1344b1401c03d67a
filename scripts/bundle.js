// Bundles one entry point with ncc into a folder: `node scripts/bundle.js ENTRY OUT_DIR`.
// scripts/package.js runs it once per bundle, each in a process of its own (webpack keeps what
// a build allocated, and several builds in one process run out of memory).
//
// The output is CommonJS, though the sources are ES modules: Node 20 starts a CommonJS entry
// file without initialising its ES module loader, which costs a fifth of a bare start
// (bench/README.md, Start-up). Dynamic imports become chunk files beside index.js, loaded with
// require() when the code reaches them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [entry, out] = process.argv.slice(2);
if (!entry || !out) throw new Error('usage: node scripts/bundle.js ENTRY OUT_DIR');
const ncc = createRequire(import.meta.url)('@vercel/ncc');

const { code, assets } = await ncc(path.resolve(entry), {
  // No build cache: ncc keys it by the entry's path and does not see option changes, so a cache
  // left by an earlier build (of ES module output, say) would decide what a fresh build writes.
  cache: false,
  esm: false,
  minify: true,
  sourceMapRegister: false,
  license: 'licenses.txt',
  quiet: true,
});
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'index.js'), code);
for (const [name, { source }] of Object.entries(assets)) {
  fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
  fs.writeFileSync(path.join(out, name), source);
}
// The repository's package.json says "module"; this one makes Node read the bundle as CommonJS.
fs.writeFileSync(path.join(out, 'package.json'), '{\n  "type": "commonjs"\n}\n');
