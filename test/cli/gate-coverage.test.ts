import fs from 'node:fs';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/server.js';
import { runAirlock } from './cli-harness.js';

const PACKAGES = JSON.stringify([
  {
    slug_perm: 'p1',
    name: 'shop',
    version: '1.0.0',
    format: 'npm',
    filename: 'shop-1.0.0.tgz',
    url: 'http://repo/p1',
  },
]);

const LIST_ITEM = {
  identifier: 's1',
  created_at: '2025-06-15T11:59:00Z',
  package: { identifier: 'p1', name: 'shop', version: '1.0.0', url: 'http://repo/p1' },
  has_vulnerabilities: false,
  max_severity: null,
  num_vulnerabilities: 0,
  scan_id: 1,
};

const sequelize = {
  ecosystem: 'npm',
  name: 'sequelize',
  version: '3.23.5',
  reason: 'no_advisory_data',
  detail: 'the repository holds no npm advisories',
};

/** What a fresh server that never loaded an advisory says about a lock file pinning sequelize 3.23.5. */
const EMPTY_DATABASE = {
  complete: false,
  evaluated: 0,
  not_evaluated: 1,
  not_evaluated_components: [sequelize],
  limit_reached: null,
  ecosystems: [{ ecosystem: 'npm', components: 1, evaluated: 0, advisories: 0, advisories_updated_at: null }],
};

const DAY = 86400 * 1000;

/** One component evaluated against npm advisory data last synced `days` ago (real clock: the CLI uses it). */
function syncedDaysAgo(days: number) {
  return {
    complete: true,
    evaluated: 1,
    not_evaluated: 0,
    not_evaluated_components: [],
    limit_reached: null,
    ecosystems: [
      {
        ecosystem: 'npm',
        components: 1,
        evaluated: 1,
        advisories: 4000,
        advisories_updated_at: new Date(Date.now() - days * DAY).toISOString(),
      },
    ],
  };
}

const UNPARSEABLE = {
  ...syncedDaysAgo(1),
  complete: false,
  evaluated: 0,
  not_evaluated: 1,
  not_evaluated_components: [
    {
      ecosystem: 'npm',
      name: 'left-pad',
      version: 'banana',
      reason: 'unparseable_version',
      detail: "npm version 'banana' is not a valid semver version",
    },
  ],
};

describe('airlock gate on a scan that did not know enough', () => {
  let repo: ScriptedServer;
  let dir: string;

  beforeAll(async () => {
    repo = await startScriptedServer();
  });
  afterAll(async () => {
    await repo.close();
  });
  beforeEach(() => {
    dir = tempDir('airlock-gate-coverage-cli-');
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const gate = async (coverage: unknown, flags: string[] = [], env: Record<string, string> = {}) => {
    repo.on('GET', '/packages/acme/dev/p1/', {
      status: 200,
      json: {
        slug_perm: 'p1',
        name: 'shop',
        version: '1.0.0',
        format: 'npm',
        filename: 'shop-1.0.0.tgz',
        security_scan_status: 'Scan Detected No Vulnerabilities',
        is_sync_failed: false,
        license: 'MIT',
        self_url: 'http://repo/p1',
      },
    });
    repo.on('GET', '/vulnerabilities/acme/dev/p1/', { status: 200, json: [LIST_ITEM] });
    repo.on('GET', '/vulnerabilities/acme/dev/p1/s1/', {
      status: 200,
      json: { ...LIST_ITEM, scans: [], ...(coverage ? { coverage } : {}) },
    });
    return runAirlock(
      [
        'gate',
        '--owner',
        'acme',
        '--repo',
        'dev',
        '--packages',
        PACKAGES,
        '--wait-timeout',
        '0',
        '--json',
        ...flags,
      ],
      { cwd: dir, env: { AIRLOCK_API_URL: repo.url, AIRLOCK_API_KEY: 'scripted-repository-key', ...env } },
    );
  };

  it('exits 2 on an empty advisory database, where it used to say "passed, 0 critical"', async () => {
    const run = await gate(EMPTY_DATABASE);
    expect(run.code).toBe(2);
    expect(run.json).toMatchObject({
      verdict: 'fail',
      counts: { critical: 0 },
      components: { evaluated: 0, notEvaluated: 1 },
    });
    expect(run.json?.summary).toMatch(
      /npm: advisory data never loaded, so 1 of 1 component was not evaluated — run `airlock-server advisories sync` on the repository service/,
    );
  });

  it('exits 2 on advisory data older than --max-advisory-age, and 0 when the age is raised', async () => {
    const stale = await gate(syncedDaysAgo(9));
    expect(stale.code).toBe(2);
    expect(stale.json?.summary).toMatch(/advisory data for npm is 9 days old \(max-advisory-age 7d\)/);
    expect((await gate(syncedDaysAgo(9), ['--max-advisory-age', '10d'])).code).toBe(0);
    expect((await gate(syncedDaysAgo(9), [], { AIRLOCK_MAX_ADVISORY_AGE: '10d' })).code).toBe(0);
  });

  it('exits 2 on a component it could not evaluate', async () => {
    const run = await gate(UNPARSEABLE);
    expect(run.code).toBe(2);
    expect(run.json?.summary).toMatch(
      /npm: 1 component not evaluated: 'left-pad' banana \(npm version 'banana'/,
    );
  });

  it('exits 0 with --on-incomplete pass (or AIRLOCK_ON_INCOMPLETE), still saying what was not covered', async () => {
    const run = await gate(EMPTY_DATABASE, ['--on-incomplete', 'pass']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ verdict: 'pass', components: { evaluated: 0, notEvaluated: 1 } });
    expect(run.json?.summary).toBe(
      'The gate passed: 0 critical, 0 high, 0 medium, 0 low, 0 unknown; 0 of 1 components evaluated.',
    );
    expect(run.stderr).toMatch(/npm: advisory data never loaded.*on-incomplete is pass/);
    expect((await gate(EMPTY_DATABASE, [], { AIRLOCK_ON_INCOMPLETE: 'pass' })).code).toBe(0);
  });

  it('exits 0 on a complete scan against fresh data, and on a repository that does not report coverage', async () => {
    const fresh = await gate(syncedDaysAgo(1));
    expect(fresh.code).toBe(0);
    expect(fresh.json?.summary).toMatch(/; 1 of 1 components evaluated\.$/);
    const cloudsmith = await gate(undefined);
    expect(cloudsmith.code).toBe(0);
    expect(cloudsmith.json).not.toHaveProperty('components');
    expect(cloudsmith.json?.summary).toMatch(/; coverage not reported by the repository\.$/);
  });

  it('exits 1 on a --max-advisory-age it cannot read, naming the flag and the form', async () => {
    const run = await gate(EMPTY_DATABASE, ['--max-advisory-age', '7']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /--max-advisory-age \(or AIRLOCK_MAX_ADVISORY_AGE\): "7" is not a duration; use a number with a unit/,
    );
  });
});
