import { benchActions } from './actions.js';
import { runAdvisoriesBench } from './advisories.js';
import { benchScanWorkers } from './advisories-workers.js';
import { benchAdvisorySync } from './advisory-sync.js';
import { benchNpm } from './npm.js';
import { benchOidc } from './oidc.js';
import { benchPackageCopy } from './package-copy.js';
import { benchPypi } from './pypi.js';
import { benchReplicas } from './replicas.js';
import { benchScan } from './scan.js';
import { benchScanVerdict } from './scan-verdict.js';
import { benchUpload } from './upload.js';
import { benchWeb } from './web.js';

/** One benchmark: prints its figures and returns them; never passes or fails on time. */
interface Bench {
  name: string;
  run: () => Promise<unknown>;
}

/** Every benchmark, run in this order (`node lib/bench/index.js NAME…` runs only those named). */
const BENCHES: Bench[] = [
  { name: 'upload', run: benchUpload },
  { name: 'package-copy', run: () => benchPackageCopy() },
  { name: 'oidc', run: benchOidc },
  { name: 'advisories', run: () => runAdvisoriesBench() },
  { name: 'scan-workers', run: () => benchScanWorkers() },
  { name: 'advisory-sync', run: () => benchAdvisorySync() },
  { name: 'scan', run: () => benchScan() },
  { name: 'scan-verdict', run: () => benchScanVerdict() },
  { name: 'actions', run: () => benchActions() },
  { name: 'replicas', run: () => benchReplicas() },
  { name: 'web', run: benchWeb },
  { name: 'pypi', run: benchPypi },
  { name: 'npm', run: benchNpm },
];

const only = process.argv.slice(2);
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  console.log(`# ${bench.name}`);
  try {
    await bench.run();
  } catch (err) {
    console.error(`${bench.name} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
