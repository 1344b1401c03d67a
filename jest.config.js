import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Where .ci/tools.d/python-clients.sh puts twine, pip and uv (it exports the same path).
const pythonClients =
  process.env.AIRLOCK_PYTHON_CLIENTS ??
  path.join(
    process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools'),
    'python-clients',
    'bin',
  );

/**
 * Suites that need a server the machine may lack. `.ci/run` installs every one of them and runs
 * with CI=true, where a missing one fails its suites; elsewhere (a fresh clone's `npm test`) those
 * suites are left out with a line saying which and why.
 */
const EXTERNAL = [
  {
    what: 'the official Cloudsmith CLI (.ci/tools.d/cloudsmith-cli.sh)',
    present: () => fs.existsSync(cloudsmithCliBinary()),
    suites: ['test/cloudsmith-cli/'],
  },
  {
    what: "moto's S3 server (moto_server)",
    present: () => spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0,
    suites: [
      'test/server/s3-uploads.test.ts',
      'test/server/blob-store-settings.test.ts',
      'test/server/store/blob-store-contract.test.ts',
      'test/scale/',
    ],
  },
  {
    what: "Debian's Chromium",
    present: () => fs.existsSync(process.env.AIRLOCK_CHROMIUM ?? '/usr/bin/chromium'),
    suites: ['test/web/'],
  },
  {
    what: 'pnpm and yarn (.ci/tools.d/pnpm-yarn.sh)',
    present: () => {
      const tools = process.env.AIRLOCK_TOOLS ?? `${os.homedir()}/.cache/airlock-tools`;
      const pnpm = process.env.AIRLOCK_PNPM ?? `${tools}/pnpm-10.34.9/node_modules/.bin/pnpm`;
      const yarn =
        process.env.AIRLOCK_YARN ?? `${tools}/yarn-4.18.1/node_modules/@yarnpkg/cli-dist/bin/yarn.js`;
      return fs.existsSync(pnpm) && fs.existsSync(yarn);
    },
    suites: ['test/server/npm/pnpm-yarn.test.ts', 'test/server/upstreams/npm-real-project.test.ts'],
  },
  { what: 'nginx', present: () => fs.existsSync('/usr/sbin/nginx'), suites: ['test/scale/'] },
  {
    what: 'Verdaccio 6.8 (.ci/tools.d/verdaccio.sh)',
    present: () => fs.existsSync(verdaccioBinary()),
    suites: [
      'test/server/upstreams/npm-upstream.test.ts',
      'test/server/upstreams/npm-install.test.ts',
      'test/server/upstreams/npm-real-project.test.ts',
    ],
  },
  {
    what: 'the Python clients (twine, pip, uv; .ci/tools.d/python-clients.sh)',
    present: () => ['twine', 'pip', 'uv'].every((tool) => fs.existsSync(path.join(pythonClients, tool))),
    suites: ['test/server/pypi/clients.test.ts', 'test/server/pypi/upstream-clients.test.ts'],
  },
  {
    what: 'pypiserver 2.4.2 (.ci/tools.d/pypiserver.sh)',
    present: () =>
      fs.existsSync(
        process.env.AIRLOCK_PYPISERVER ??
          path.join(
            process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools'),
            'pypiserver',
            'bin',
            'pypi-server',
          ),
      ),
    suites: ['test/server/pypi/upstream-clients.test.ts'],
  },
  {
    what: 'schemathesis (.ci/tools.d/schemathesis.sh)',
    present: () =>
      fs.existsSync(
        process.env.AIRLOCK_SCHEMATHESIS ??
          path.join(
            process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache', 'airlock-tools'),
            'schemathesis',
            'bin',
            'st',
          ),
      ),
    suites: ['test/fuzz/api-fuzz.test.ts'],
  },
  {
    what: 'PostgreSQL 15',
    present: () => fs.existsSync('/usr/lib/postgresql/15/bin/initdb'),
    suites: ['test/scale/'],
  },
  {
    what: 'Terraform with the provider built by .ci/tools.d/terraform-provider.sh',
    present: () =>
      fs.existsSync(
        `${process.env.AIRLOCK_TF_PROVIDER_DIR ?? '/nonexistent'}/terraform-provider-cloudsmith`,
      ) &&
      spawnSync(process.env.AIRLOCK_TERRAFORM ?? 'terraform', ['version'], { stdio: 'ignore' }).status === 0,
    // Left out even under CI when absent: the provider comes from the Go module proxy, which some
    // networks refuse to serve it from (the tools file then says so); the HTTP-level replay in
    // test/server/terraform-contract.test.ts holds the same contract everywhere.
    optionalInCi: true,
    suites: ['test/terraform/'],
  },
];

/** Where .ci/tools.d/cloudsmith-cli.sh puts the CLI (test/cloudsmith-cli/cli-runner.ts looks there too). */
function cloudsmithCliBinary() {
  const tools = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache/airlock-tools');
  return process.env.AIRLOCK_CLOUDSMITH_CLI ?? path.join(tools, 'cloudsmith-cli/bin/cloudsmith');
}

function verdaccioBinary() {
  const tools = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache/airlock-tools');
  return process.env.AIRLOCK_VERDACCIO ?? path.join(tools, 'verdaccio/node_modules/.bin/verdaccio');
}

const ignored = [];

// Accuracy over the full OSV archives (thousands of advisories): test/accuracy reads the folder
// AIRLOCK_ADVISORIES_DIR names (the repository holds only a small subset). Left out when it is
// unset or holds no archives; under CI=true `npm test` always leaves them out and
// `npm run test:accuracy` (its own step of .ci/run) runs them.
const advisoriesDir = process.env.AIRLOCK_ADVISORIES_DIR
  ? path.resolve(process.env.AIRLOCK_ADVISORIES_DIR)
  : null;
const accuracyRun = process.env.AIRLOCK_TEST_ACCURACY === '1';
if (!advisoriesDir || !fs.existsSync(path.join(advisoriesDir, 'npm', 'all.zip'))) {
  ignored.push('test/accuracy/');
  process.stderr.write(
    `note: ${advisoriesDir ? `no full OSV archives in ${advisoriesDir}` : 'AIRLOCK_ADVISORIES_DIR is not set'}, so test/accuracy/ does not run.\n`,
  );
} else if (process.env.CI && !accuracyRun) {
  ignored.push('test/accuracy/');
}

/**
 * Suites about the embedded stores themselves (the SQLite file, the files of the blob store, what
 * lives in the data directory), left out of the PostgreSQL + S3 pass (`npm run test:pg`): the
 * SQLite pass runs them.
 */
const SQLITE_FS_ONLY = [
  {
    suite: 'test/server/commands/backup.test.ts',
    why: 'backup copies the SQLite file and blob files of a data directory (PostgreSQL and S3 have their own tools)',
  },
  {
    suite: 'test/server/commands/npm-start.test.ts',
    why: '`npm start` runs the service on ./.airlock-data (SQLite) as a new user does; a second pass would repeat it unchanged',
  },
  {
    suite: 'test/server/scan/freeze.test.ts',
    why: 'starts its own airlock-server on a data directory (SQLite), so a second pass would repeat it unchanged',
  },
];

const pgPass = process.env.AIRLOCK_TEST_STORES === 'postgres-s3';
if (pgPass) {
  process.stderr.write('note: PostgreSQL + S3 pass; these suites run only on SQLite + files:\n');
  for (const { suite, why } of SQLITE_FS_ONLY) {
    ignored.push(suite);
    process.stderr.write(`  ${suite}: ${why}\n`);
  }
  // test/scale starts its own PostgreSQL, S3 and replicas: it is a PostgreSQL + S3 suite already.
  ignored.push('test/scale/', 'test/accuracy/');
}

for (const { what, present, suites, optionalInCi } of EXTERNAL) {
  // Under CI a missing tool fails its suites, unless the entry says the network may withhold it.
  if ((process.env.CI && !optionalInCi) || present()) continue;
  ignored.push(...suites);
  process.stderr.write(
    `note: ${what} is not installed, so ${suites.join(', ')} do not run (.ci/run installs it).\n`,
  );
}

/** Jest runs the TypeScript sources as ESM through ts-jest (type checking happens in `npm run lint`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...ignored.map((s) => `<rootDir>/${s}`)],
  setupFiles: ['<rootDir>/test/setup/polyfills.cjs'],
  globalSetup: '<rootDir>/test/setup/global-setup.cjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.cjs',
  testTimeout: 30000,
  // Two workers, each replaced once it holds more than 1.5 GB after a file: one process running
  // every file in turn keeps growing (ESM test modules are not freed) until GC dominates.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1536MB',
};
