// Bundles every action entry point (src/actions/<name>.ts) and the CLI (src/cli/main.ts) with
// ncc into dist/<name>/index.js, the files action.yml and the Jenkins library run.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const entries = [];
const actionsDir = path.join(root, 'src/actions');
if (fs.existsSync(actionsDir)) {
  for (const file of fs.readdirSync(actionsDir).sort()) {
    if (file.endsWith('.ts') && !file.startsWith('_'))
      entries.push([file.slice(0, -3), path.join(actionsDir, file)]);
  }
}
const cli = path.join(root, 'src/cli/main.ts');
if (fs.existsSync(cli)) entries.push(['cli', cli]);

const only = process.argv.slice(2);
const ncc = path.join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
for (const [name, file] of entries) {
  if (only.length && !only.includes(name)) continue;
  const out = path.join(root, 'dist', name);
  fs.rmSync(out, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      file,
      '-o',
      out,
      '--minify',
      '--no-source-map-register',
      '--license',
      'licenses.txt',
      '-q',
    ],
    {
      stdio: 'inherit',
      cwd: root,
    },
  );
  console.log(
    `dist/${name}/index.js  ${(fs.statSync(path.join(out, 'index.js')).size / 1024).toFixed(0)} KiB`,
  );
}
if (entries.length === 0) console.log('No action or CLI entry points yet.');
