import type { ServiceContext } from '../../../src/server/domain/context.js';
import { loadPackageViews } from '../../../src/server/domain/package-view.js';
import { packageMatchesQuery } from '../../../src/server/domain/package-query.js';
import { evaluatePoliciesIn } from '../../../src/server/policies/evaluate.js';
import { SCAN_STATUS, type ScanDeps } from '../../../src/server/scan/scan-package.js';
import {
  createScanService,
  isScanFinished,
  SCAN_JOB,
  type ScanService,
} from '../../../src/server/scan/service.js';
import { analyseInWorker } from '../../../src/server/scan/worker/run-in-worker.js';
import { JobQueue } from '../../../src/server/jobs/queue.js';
import { openDatabase, type Db } from '../../../src/server/store/db.js';
import { databaseConfigOf } from '../../../src/server/store/open-stores.js';
import { makeTar } from '../../fixtures/packages/archives.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

/** What a reader of the package sees at one moment: the API's view, and what a waiter polls. */
interface Sighting {
  security_scan_status: string;
  finished: boolean;
  is_quarantined: boolean;
  policy_violated: boolean;
}

/** An npm package declaring the MIT license, with a lock file and no dependencies. */
async function mitTarball(name: string): Promise<Buffer> {
  const manifest = { name, version: '1.0.0', license: 'MIT' };
  const lock = { name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': manifest } };
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify(manifest) },
    { name: 'package/package-lock.json', content: JSON.stringify(lock) },
  ]);
}

describe('when a scan reads as finished', () => {
  let server: TestServer;
  // A second connection to the service's database: what another replica, or a reader that does
  // not queue behind the scanner's writes, sees at any moment.
  let replicaDb: Db;
  let replica: ServiceContext;
  // Job retries wait seconds; the test moves the service's clock on instead.
  let offsetMs = 0;
  const clock = (): Date => new Date(Date.now() + offsetMs);

  const sight = async (packageId: string): Promise<Sighting> => {
    const [view] = await loadPackageViews(replica, [packageId]);
    return {
      security_scan_status: view!.security_scan_status,
      finished: await isScanFinished(replica, packageId),
      is_quarantined: view!.is_quarantined,
      policy_violated: view!.policy_violated,
    };
  };

  /** The service's own scanning, with a reader looking on while the org's policies are evaluated. */
  const scanner = (sightings: Sighting[], analyse?: ScanDeps['analyse']): ScanService =>
    createScanService(server.ctx, {
      analyse: analyse ?? ((ctx, input) => analyseInWorker(ctx, input, { heapMb: 256, timeoutSeconds: 60 })),
      evaluatePolicies: async (ctx, tx, packageId, scans) => {
        sightings.push(await sight(packageId));
        return evaluatePoliciesIn(ctx, tx, packageMatchesQuery, packageId, scans);
      },
    });

  const upload = async (name: string): Promise<string> => {
    const res = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'npm',
      await mitTarball(name),
      `${name}-1.0.0.tgz`,
    );
    expect(res.status).toBe(201);
    return res.body.slug_perm;
  };

  beforeAll(async () => {
    // No background work: each test runs the scan jobs itself.
    server = await startTestServer({}, { background: false, clock });
    replicaDb = await openDatabase(databaseConfigOf(server.ctx.config));
    replica = { ...server.ctx, db: replicaDb };
    await createRepo(server, 'dev');
    // Both policies read the scan being recorded: its status (`scan:`) and its row (`severity:`).
    for (const [name, query] of [
      ['no MIT once scanned clean', 'scan:clean severity:none name:clean-*'],
      ['no MIT left unscanned', 'scan:failed name:broken-*'],
    ]) {
      const res = await api(server, 'POST', '/orgs/acme/license-policy/', {
        name,
        spdx_identifiers: ['MIT'],
        on_violation_quarantine: true,
        package_query_string: query,
      });
      expect(res.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await replicaDb.destroy();
    await server.close();
  });

  it('the policy verdict of that scan is already there, for every reader', async () => {
    const id = await upload('clean-app');
    const during: Sighting[] = [];
    const service = scanner(during);
    const waited = service.waitForScan(id, 30).then(() => sight(id));

    expect(await service.worker.drain()).toBe(1);

    // While the verdict was being reached, nobody could read the scan as finished…
    expect(during).toHaveLength(1);
    expect(during[0]).toEqual({
      security_scan_status: SCAN_STATUS.inProgress,
      finished: false,
      is_quarantined: false,
      policy_violated: false,
    });
    // …and the moment it reads finished, to a waiter or another replica, the package is quarantined.
    const verdict = {
      security_scan_status: SCAN_STATUS.clean,
      finished: true,
      is_quarantined: true,
      policy_violated: true,
    };
    expect(await waited).toEqual(verdict);
    expect(await sight(id)).toEqual(verdict);
    const violations = await api<{ package: { identifier: string }; reasons: string[] }[]>(
      server,
      'GET',
      '/orgs/acme/license-policy-violation/',
    );
    expect(violations.body).toEqual([
      expect.objectContaining({
        package: expect.objectContaining({ identifier: id }),
        reasons: [expect.stringMatching(/MIT/)],
      }),
    ]);
  });

  it('a scan that ran out of attempts reads as failed only with the verdict it leaves', async () => {
    const id = await upload('broken-app');
    const during: Sighting[] = [];
    const service = scanner(during, async () => {
      throw new Error('the matcher is unavailable');
    });
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await service.worker.drain()).toBe(1);
      expect((await sight(id)).finished).toBe(attempt === 3);
      offsetMs += 10 * 60_000; // past the retry delay of the attempt that failed
    }
    // Evaluated once, on the last attempt, while the package still read as being scanned.
    expect(during).toEqual([
      {
        security_scan_status: SCAN_STATUS.inProgress,
        finished: false,
        is_quarantined: false,
        policy_violated: false,
      },
    ]);
    expect(await sight(id)).toEqual({
      security_scan_status: SCAN_STATUS.failed,
      finished: true,
      is_quarantined: true,
      policy_violated: true,
    });
  });

  it('a scan whose service stopped on every attempt reads as failed, with its verdict, once a claim finds it', async () => {
    const id = await upload('broken-crashed');
    // Three claims that never finish: what a service killed during each attempt leaves behind.
    const crashing = new JobQueue(server.ctx, { leaseMs: 1000, heartbeatMs: 0, clock });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [claimed] = await crashing.claimMany([SCAN_JOB], clock(), 1);
      expect(claimed).toMatchObject({ kind: SCAN_JOB, payload: { packageId: id }, attempts: attempt });
      offsetMs += 2000; // past that claim's lease
    }
    expect((await sight(id)).finished).toBe(false);
    const service = scanner([]);
    const waited = service.waitForScan(id, 30).then(() => sight(id));
    // The next claim finds the last attempt abandoned: the job fails without running again…
    expect(await service.worker.drain()).toBe(0);
    // …and the package reads failed together with the verdict against what it was (never scanned).
    const verdict = {
      security_scan_status: SCAN_STATUS.failed,
      finished: true,
      is_quarantined: true,
      policy_violated: true,
    };
    expect(await waited).toEqual(verdict);
    expect(await sight(id)).toEqual(verdict);
  });
});
