import fs from 'node:fs';
import path from 'node:path';

/**
 * The full OSV archives the accuracy suites read: the folder AIRLOCK_ADVISORIES_DIR names.
 * jest.config.js leaves these suites out when it is unset or empty; `npm run test:accuracy`
 * runs them on their own.
 */
export const FULL_ADVISORIES_DIR = path.resolve(process.env.AIRLOCK_ADVISORIES_DIR ?? '');

if (!fs.existsSync(path.join(FULL_ADVISORIES_DIR, 'npm', 'all.zip')))
  throw new Error(
    `${FULL_ADVISORIES_DIR} holds no npm/all.zip: set AIRLOCK_ADVISORIES_DIR to a folder of the full OSV archives.`,
  );
