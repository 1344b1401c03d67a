import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

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

const ignored = [];
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
  testTimeout: 30000,
};
