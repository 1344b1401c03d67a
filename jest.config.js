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
  { what: 'nginx', present: () => fs.existsSync('/usr/sbin/nginx'), suites: ['test/scale/'] },
  {
    what: 'the Python clients (twine, pip, uv; .ci/tools.d/python-clients.sh)',
    present: () => ['twine', 'pip', 'uv'].every((tool) => fs.existsSync(path.join(pythonClients, tool))),
    suites: ['test/server/pypi/clients.test.ts'],
  },
  {
    what: 'PostgreSQL 15',
    present: () => fs.existsSync('/usr/lib/postgresql/15/bin/initdb'),
    suites: ['test/scale/'],
  },
];

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
