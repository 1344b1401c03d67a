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
    what: 'pnpm and yarn (.ci/tools.d/pnpm-yarn.sh)',
    present: () => {
      const tools = process.env.AIRLOCK_TOOLS ?? `${os.homedir()}/.cache/airlock-tools`;
      const pnpm = process.env.AIRLOCK_PNPM ?? `${tools}/pnpm-10.34.9/node_modules/.bin/pnpm`;
      const yarn =
        process.env.AIRLOCK_YARN ?? `${tools}/yarn-4.18.1/node_modules/@yarnpkg/cli-dist/bin/yarn.js`;
      return fs.existsSync(pnpm) && fs.existsSync(yarn);
    },
    suites: ['test/server/npm/pnpm-yarn.test.ts'],
  },
  { what: 'nginx', present: () => fs.existsSync('/usr/sbin/nginx'), suites: ['test/scale/'] },
  {
    what: 'Verdaccio 6.8 (.ci/tools.d/verdaccio.sh)',
    present: () => fs.existsSync(verdaccioBinary()),
    suites: ['test/server/upstreams/npm-upstream.test.ts', 'test/server/upstreams/npm-install.test.ts'],
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
    what: 'PostgreSQL 15',
    present: () => fs.existsSync('/usr/lib/postgresql/15/bin/initdb'),
    suites: ['test/scale/'],
  },
];

function verdaccioBinary() {
  const tools = process.env.AIRLOCK_TOOLS ?? path.join(os.homedir(), '.cache/airlock-tools');
  return process.env.AIRLOCK_VERDACCIO ?? path.join(tools, 'verdaccio/node_modules/.bin/verdaccio');
}

const ignored = [];
if (!process.env.CI) {
  for (const { what, present, suites } of EXTERNAL) {
    if (present()) continue;
    ignored.push(...suites);
    process.stderr.write(
      `note: ${what} is not installed, so ${suites.join(', ')} do not run (.ci/run installs it).\n`,
    );
  }
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
  testTimeout: 30000,
};
