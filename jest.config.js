import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
    what: 'PostgreSQL 15',
    present: () => fs.existsSync('/usr/lib/postgresql/15/bin/initdb'),
    suites: ['test/scale/'],
  },
];

const ignored = [];

// Accuracy over the full OSV archives (thousands of advisories): test/accuracy reads
// AIRLOCK_ADVISORIES_DIR, else ../shared/advisories beside the clone. Left out when they are
// missing; under CI=true `npm test` always leaves them out and `npm run test:accuracy` (its own
// step of .ci/run) runs them.
const advisoriesDir = path.resolve(
  process.env.AIRLOCK_ADVISORIES_DIR ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), '../shared/advisories'),
);
const accuracyRun = process.env.AIRLOCK_TEST_ACCURACY === '1';
if (!fs.existsSync(path.join(advisoriesDir, 'npm', 'all.zip'))) {
  ignored.push('test/accuracy/');
  process.stderr.write(
    `note: no full OSV archives in ${advisoriesDir} (set AIRLOCK_ADVISORIES_DIR), so test/accuracy/ does not run.\n`,
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
  globalTeardown: '<rootDir>/test/setup/global-teardown.cjs',
  testTimeout: 30000,
};
