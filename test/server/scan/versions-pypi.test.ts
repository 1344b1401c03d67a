import { ADVISORIES_DIR } from '../../helpers/advisories.js';
import { describePypiMatching } from './versions-pypi-cases.js';

describePypiMatching(ADVISORIES_DIR, { boundaryPairs: 100, orderedPairs: 800, listedChecks: 600 });
