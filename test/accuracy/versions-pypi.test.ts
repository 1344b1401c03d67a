import { describePypiMatching } from '../server/scan/versions-pypi-cases.js';
import { FULL_ADVISORIES_DIR } from './archives.js';

describePypiMatching(FULL_ADVISORIES_DIR, { boundaryPairs: 500, orderedPairs: 10000, listedChecks: 500 });
