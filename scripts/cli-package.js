// Writes the `airlock` command as a package of its own into a folder (default build/cli-package):
// the CLI bundle (dist/cli/: index.js and the chunks it loads on demand, CommonJS with no
// dependencies, built by `npm run package`), its licence notices and a package.json with the root
// package's version. The release workflow
// publishes that folder; `npm pack --dry-run <folder>` shows what it holds.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(root, process.argv[2] ?? 'build/cli-package');
const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The CLI package's name: the server package's scope with `cli` (`@scope/server` → `@scope/cli`). */
const scope = main.name.startsWith('@') ? main.name.split('/')[0] : undefined;
if (!scope) throw new Error(`package.json's name '${main.name}' has no scope to publish the CLI under.`);

const bundle = path.join(root, 'dist/cli/index.js');
if (!fs.existsSync(bundle)) throw new Error('dist/cli/index.js is missing: run `npm run package` first.');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
// index.js requires its chunks by name from its own folder when a command needs them.
const chunks = fs.readdirSync(path.dirname(bundle)).filter((f) => /^\d+\.index\.js$/.test(f));
for (const file of ['index.js', ...chunks, 'licenses.txt']) {
  fs.copyFileSync(path.join(root, 'dist/cli', file), path.join(out, file));
}
// The bundle has no `#!` line; npm links the bin as an executable, which needs one.
fs.writeFileSync(path.join(out, 'airlock.js'), "#!/usr/bin/env node\nrequire('./index.js');\n", {
  mode: 0o755,
});
fs.copyFileSync(path.join(root, 'LICENSE'), path.join(out, 'LICENSE'));
fs.writeFileSync(
  path.join(out, 'README.md'),
  `# ${scope}/cli\n\n` +
    'The `airlock` command: auth, push, gate, promote and report for build artifacts, from a ' +
    'terminal, Jenkins or any CI, against a repository that speaks the Cloudsmith v1 API (such as ' +
    `the service in \`${main.name}\`). No dependencies, Node.js ${main.engines.node}.\n\n` +
    '```sh\nnpx ' +
    `${scope}/cli --help\n\`\`\`\n\n` +
    (main.repository?.url ? `Documentation: ${main.repository.url.replace(/^git\+|\.git$/g, '')}\n` : ''),
);
const pkg = {
  name: `${scope}/cli`,
  version: main.version,
  description: 'The airlock command: push, scan gate, promote and report build artifacts from any CI.',
  license: main.license,
  // The bundle is CommonJS: Node starts it without its ES module loader (see scripts/bundle.js).
  type: 'commonjs',
  engines: main.engines,
  bin: { airlock: 'airlock.js' },
  files: ['airlock.js', 'index.js', ...chunks, 'licenses.txt'],
  ...(main.repository ? { repository: main.repository } : {}),
  publishConfig: { access: 'public' },
};
fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`${path.relative(root, out)}: ${pkg.name}@${pkg.version}`);
