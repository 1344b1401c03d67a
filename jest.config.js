/** Jest runs the TypeScript sources as ESM through ts-jest (type checking happens in `npm run lint`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/test/setup/polyfills.cjs'],
  globalSetup: '<rootDir>/test/setup/global-setup.cjs',
  testTimeout: 30000,
};
