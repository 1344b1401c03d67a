import { describeBoundaries } from '../server/scan/versions-boundaries-cases.js';
import { FULL_ADVISORIES_DIR } from './archives.js';

describeBoundaries(FULL_ADVISORIES_DIR, {
  npm: { points: 1000, ranges: 400 },
  crates: { points: 2000, ranges: 1000 },
  go: { points: 10000, ranges: 5000, pseudo: 10, incompatible: 50, toolchain: 50 },
});
