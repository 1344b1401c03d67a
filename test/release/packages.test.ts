import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '../helpers/server.js';
import { ROOT } from '../helpers/runner.js';

interface PackSummary {
  name: string;
  version: string;
  files: { path: string }[];
}

/** What `npm pack` would put in the package of `dir`, without running its scripts. */
function packed(dir: string): PackSummary {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out) as PackSummary[])[0]!;
}

const main = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

describe('the published packages', () => {
  it('publishes the service under a scoped name with both commands, the compiled code and no tests', () => {
    expect(main.name).toBe('@airlock-gate/server');
    const pack = packed(ROOT);
    const files = pack.files.map((f) => f.path);
    for (const bin of Object.values(main.bin)) expect(files).toContain(bin);
    expect(files).toEqual(
      expect.arrayContaining([
        'lib/src/server/main.js',
        'lib/src/server/scan/worker/scan-worker.js',
        'dist/cli/index.js',
      ]),
    );
    const unexpected = files.filter(
      (f) => !/^(bin|lib\/src|dist\/cli)\//.test(f) && !['package.json', 'README.md', 'LICENSE'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('publishes the `airlock` command alone, its bundle and chunks, runnable, at the same version', () => {
    const dir = tempDir('airlock-cli-package-');
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/cli-package.js'), dir], { stdio: 'ignore' });
      const pack = packed(dir);
      expect(pack.name).toBe('@airlock-gate/cli');
      expect(pack.version).toBe(main.version);
      const chunks = fs.readdirSync(path.join(ROOT, 'dist/cli')).filter((f) => /^\d+\.index\.js$/.test(f));
      expect(chunks.length).toBeGreaterThan(0);
      expect(pack.files.map((f) => f.path).sort()).toEqual(
        ['LICENSE', 'README.md', 'airlock.js', 'index.js', 'licenses.txt', 'package.json', ...chunks].sort(),
      );
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
        dependencies?: unknown;
      };
      expect(pkg.bin).toEqual({ airlock: 'airlock.js' });
      expect(pkg.dependencies).toBeUndefined();
      // Run through its bin as npm links it (executable, with a #! line), from another directory.
      const help = execFileSync(path.join(dir, 'airlock.js'), ['--help'], {
        cwd: outsideProject(),
        encoding: 'utf8',
      });
      expect(help).toMatch(/^airlock — /);
      // A command that loads its step's chunks: it gets as far as the (refused) connection.
      const run = spawnSync(
        path.join(dir, 'airlock.js'),
        ['whoami', '--api-url', 'http://127.0.0.1:9', '--api-key', 'k', '--retries', '0', '--json'],
        { cwd: outsideProject(), encoding: 'utf8' },
      );
      expect(run.status).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ command: 'whoami', ok: false });
      expect(JSON.parse(run.stdout).error).toContain('127.0.0.1:9');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A directory outside the project. */
function outsideProject(): string {
  return path.parse(ROOT).root;
}

describe('.github/workflows/release.yml', () => {
  const text = fs.readFileSync(path.join(ROOT, '.github/workflows/release.yml'), 'utf8');
  const workflow = parseYaml(text) as {
    jobs: Record<string, { steps: { uses?: string; run?: string }[] }>;
  };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it('pins every action it uses to a full commit SHA, with the version in a comment', () => {
    const uses = [...text.matchAll(/^\s*- uses: (\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, comment] of uses) {
      expect(ref).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      expect(comment).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });

  it('runs the checks (lint, tests, dist/) before it tags and publishes both packages', () => {
    const runs = steps.map((s) => s.run ?? '').join('\n');
    const order = ['.ci/run', 'npm run package', 'git diff --exit-code -- dist', 'git tag', 'npm publish'];
    const at = order.map((needle) => runs.indexOf(needle));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(runs).toContain('npm publish --provenance ./build/cli-package');
  });
});
