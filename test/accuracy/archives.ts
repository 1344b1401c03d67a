import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The full OSV archives the accuracy suites read: AIRLOCK_ADVISORIES_DIR, else
 * ../shared/advisories beside the clone. jest.config.js leaves these suites out when the folder
 * is missing; `npm run test:accuracy` runs them on their own.
 */
export const FULL_ADVISORIES_DIR = path.resolve(
  process.env.AIRLOCK_ADVISORIES_DIR ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/advisories'),
);

if (!fs.existsSync(path.join(FULL_ADVISORIES_DIR, 'npm', 'all.zip')))
  throw new Error(
    `${FULL_ADVISORIES_DIR} holds no npm/all.zip: set AIRLOCK_ADVISORIES_DIR to a folder of the full OSV archives.`,
  );
