import { describeMatching } from '../server/scan/match-cases.js';
import { FULL_ADVISORIES_DIR } from './archives.js';

describeMatching(FULL_ADVISORIES_DIR, {
  sampleStep: 13,
  components: 1000,
  detailStep: 53,
  checked: 100,
  fixedCases: 100,
});
