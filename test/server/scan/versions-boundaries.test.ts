import { ADVISORIES_DIR } from '../../helpers/advisories.js';
import { describeBoundaries } from './versions-boundaries-cases.js';

describeBoundaries(ADVISORIES_DIR, {
  npm: { points: 90, ranges: 30 },
  crates: { points: 300, ranges: 60 },
  go: { points: 100, ranges: 30, pseudo: 10, incompatible: 5, toolchain: 5 },
});
