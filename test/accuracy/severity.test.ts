import { describeRealVectors } from '../server/scan/severity-cases.js';
import { FULL_ADVISORIES_DIR } from './archives.js';

describeRealVectors(FULL_ADVISORIES_DIR, { v4Documents: 10 });
