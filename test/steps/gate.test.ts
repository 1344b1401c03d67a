import fs from 'node:fs';
import path from 'node:path';
import { RepositoryClient } from '../../src/client/client.js';
import { resolveGateSettings, type GateSettings } from '../../src/policy/settings.js';
import { projectPath, readGateReport, runGate, type GateOptions } from '../../src/steps/gate.js';
import { pushPackages } from '../../src/steps/push.js';
import type { PushedPackage } from '../../src/steps/types.js';
import {
  findVulnerableDependency,
  importNpmAdvisories,
  npmAppTarball,
  type VulnerableDependency,
} from '../fixtures/actions/vulnerable-npm.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import {
  adminConnection,
  createRepos,
  FakeRuntime,
  pushSettings,
  stepClient,
  writeFile,
} from './step-helpers.js';

describe('the gate step against the real service and its scanner', () => {
  let server: TestServer;
  let dir: string;
  let dep: VulnerableDependency;
  let clean: PushedPackage;
  let vulnerable: PushedPackage;

  const gate = async (packages: PushedPackage[], rules: Partial<GateSettings> = {}) => {
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server));
    const options: GateOptions = {
      owner: 'acme',
      repo: 'dev',
      packages,
      waitTimeoutSec: 60,
      rules: resolveGateSettings(rules),
      outputDir: dir,
    };
    return { runtime, result: await runGate(runtime, client, options, { timing }) };
  };

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    await importNpmAdvisories(server.ctx.db);
    dep = await findVulnerableDependency(server.ctx.db);
    await createRepos(server, 'dev');
    dir = tempDir('airlock-gate-');
    const files = [
      writeFile(dir, 'clean-app-1.0.0.tgz', await npmAppTarball('clean-app', '1.0.0')),
      writeFile(dir, 'risky-app-1.0.0.tgz', await npmAppTarball('risky-app', '1.0.0', dep)),
    ];
    const runtime = new FakeRuntime();
    const pushed = await pushPackages(
      runtime,
      stepClient(runtime, adminConnection(server)).client,
      pushSettings(adminConnection(server), { files }),
    );
    [clean, vulnerable] = pushed.packages as [PushedPackage, PushedPackage];
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes a clean package, sets the outputs and writes the findings and SARIF files', async () => {
    const { runtime, result } = await gate([clean]);
    expect(result.verdict.result).toBe('pass');
    expect(result.scans[0]).toMatchObject({
      status: 'complete',
      securityScanStatus: 'Scan Detected No Vulnerabilities',
    });
    expect(runtime.outputs).toEqual({
      result: 'pass',
      critical: '0',
      high: '0',
      medium: '0',
      low: '0',
      unknown: '0',
      findings: result.findingsPath,
      sarif: result.sarifPath,
      // Counts once the service reports coverage; empty from a repository that does not.
      'components-evaluated': expect.stringMatching(/^\d*$/),
      'components-not-evaluated': expect.stringMatching(/^\d*$/),
    });
    expect(path.dirname(result.findingsPath).startsWith(dir)).toBe(true);
    const report = readGateReport(result.findingsPath);
    expect(report.packages).toEqual([
      expect.objectContaining({ slug_perm: clean.slug_perm, result: 'pass' }),
    ]);
    const sarif = JSON.parse(fs.readFileSync(result.sarifPath, 'utf8')) as {
      version: string;
      runs: unknown[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(runtime.env).toMatchObject({
      AIRLOCK_GATE_RESULT: 'pass',
      AIRLOCK_GATE_FINDINGS: result.findingsPath,
    });
  });

  it('fails a package whose lock file pins a vulnerable dependency, naming the advisory and its fix', async () => {
    const { runtime, result } = await gate([clean, vulnerable]);
    expect(result.verdict.result).toBe('fail');
    const judged = result.verdict.packages[1]!;
    expect(judged.result).toBe('fail');
    const deciding = judged.findings.filter((f) => f.disposition === 'deciding');
    expect(deciding).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: dep.ids[0],
          component: dep.name,
          installedVersion: dep.version,
          fixedVersion: dep.fixedVersion,
          location: expect.objectContaining({ path: 'package-lock.json' }),
        }),
      ]),
    );
    expect(Number(runtime.outputs.high) + Number(runtime.outputs.critical)).toBeGreaterThan(0);
    const sarif = JSON.parse(fs.readFileSync(result.sarifPath, 'utf8')) as {
      runs: { results: { ruleId: string }[] }[];
    };
    expect(sarif.runs[1]!.results.map((r) => r.ruleId)).toContain(dep.ids[0]);
    expect(runtime.env.AIRLOCK_GATE_RESULT).toBe('fail');
  });

  it('passes the vulnerable package when the allowlist accepts its advisory, and reports a stale entry', async () => {
    const { result } = await gate([vulnerable], {
      allowlist: [
        { index: 0, id: dep.ids[0]!, reason: 'not reachable' },
        { index: 1, id: 'CVE-1999-0001' },
      ],
    });
    expect(result.verdict.result).toBe('pass');
    expect(result.verdict.allowlist.stale.map((e) => e.id)).toEqual(['CVE-1999-0001']);
  });

  it('fails it again once the allowlist entry has expired, and says so', async () => {
    const { result } = await gate([vulnerable], {
      allowlist: [{ index: 0, id: dep.ids[0]!, expires: '2020-01-01' }],
    });
    expect(result.verdict.result).toBe('fail');
    expect(result.verdict.notes.join(' ')).toMatch(/expires 2020-01-01\) has expired and was not applied/);
  });

  it('passes it when the per-level limits allow as many findings as it has', async () => {
    const { result } = await gate([vulnerable], { maxCritical: 5, maxHigh: 5 });
    expect(result.verdict.result).toBe('pass');
  });

  it('fails a package whose license is denied', async () => {
    const { result } = await gate([clean], { denyLicenses: ['MIT'] });
    expect(result.verdict.result).toBe('fail');
    expect(result.verdict.reasons.join(' ')).toMatch(/deny-licenses forbids \(MIT\)/);
  });
});

describe('the gate step when the scan does not end well', () => {
  let repo: ScriptedServer;
  let dir: string;
  const item: PushedPackage = {
    slug_perm: 'p1',
    name: 'widget',
    version: '1.0.0',
    format: 'npm',
    filename: 'widget-1.0.0.tgz',
    url: 'http://repo/p1',
  };
  const pkg = (scan: string) => ({
    slug_perm: 'p1',
    name: 'widget',
    version: '1.0.0',
    format: 'npm',
    filename: 'widget-1.0.0.tgz',
    security_scan_status: scan,
    is_sync_failed: false,
    license: 'MIT',
    self_url: 'http://repo/p1',
  });

  beforeAll(async () => {
    repo = await startScriptedServer();
    dir = tempDir('airlock-gate-scan-');
  });
  afterAll(async () => {
    await repo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [
      'a scan still running at the deadline',
      'fail',
      'Security Scanning in Progress',
      {},
      /did not finish before the wait timeout.*on-timeout is fail/,
    ],
    [
      'a scan still running, with on-timeout pass',
      'pass',
      'Security Scanning in Progress',
      { onTimeout: 'pass' },
      /passes only because on-timeout is pass/,
    ],
    ['a failed scan', 'fail', 'Security Scanning Failed', {}, /the scan failed.*on-scan-error is fail/],
    [
      'a failed scan, with on-scan-error pass',
      'pass',
      'Security Scanning Failed',
      { onScanError: 'pass' },
      /passes only because on-scan-error is pass/,
    ],
  ] as const)('judges %s as %s', async (_what, expected, scan, rules, sentence) => {
    repo.on('GET', '/packages/acme/dev/p1/', { status: 200, json: pkg(scan) });
    repo.on('GET', '/packages/acme/dev/p1/status/', { status: 200, json: { is_sync_completed: true } });
    const runtime = new FakeRuntime();
    const client = new RepositoryClient({ baseUrl: repo.url, apiKey: 'k' });
    const result = await runGate(
      runtime,
      client,
      {
        owner: 'acme',
        repo: 'dev',
        packages: [item],
        waitTimeoutSec: 0,
        rules: resolveGateSettings(rules),
        outputDir: dir,
      },
      {},
    );
    expect(result.verdict.result).toBe(expected);
    expect([...result.verdict.reasons, ...result.verdict.notes].join(' ')).toMatch(sentence);
    expect(runtime.outputs.result).toBe(expected);
  });
});

describe('where a finding points in the project', () => {
  it.each([
    ['npm', 'app-1.0.0.tgz', 'package/package-lock.json', 'package-lock.json'],
    ['npm', 'app-1.0.0.tgz', 'package/node_modules/x/package.json', 'node_modules/x/package.json'],
    ['python', 'demo-1.0.tar.gz', 'demo-1.0/requirements.txt', 'requirements.txt'],
    ['python', 'demo-1.0.zip', 'demo-1.0/poetry.lock', 'poetry.lock'],
    ['python', 'demo-1.0-py3-none-any.whl', 'demo-1.0.dist-info/METADATA', 'demo-1.0.dist-info/METADATA'],
    ['raw', 'bundle.tar.gz', 'package/package-lock.json', 'package/package-lock.json'],
  ])('maps a %s file (%s) entry %s to %s', (format, filename, inArchive, expected) => {
    expect(projectPath(format, filename, inArchive)).toBe(expected);
  });
});

describe('the gate step on what the scan covered', () => {
  let repo: ScriptedServer;
  let dir: string;
  const item: PushedPackage = {
    slug_perm: 'p1',
    name: 'shop',
    version: '1.0.0',
    format: 'npm',
    filename: 'shop-1.0.0.tgz',
    url: 'http://repo/p1',
  };
  const NOW = Date.parse('2025-06-15T12:00:00Z');
  const scanned = {
    slug_perm: 'p1',
    name: 'shop',
    version: '1.0.0',
    format: 'npm',
    filename: 'shop-1.0.0.tgz',
    security_scan_status: 'Scan Detected No Vulnerabilities',
    is_sync_failed: false,
    license: 'MIT',
    self_url: 'http://repo/p1',
  };
  const listItem = {
    identifier: 's1',
    created_at: '2025-06-15T11:59:00Z',
    package: { identifier: 'p1', name: 'shop', version: '1.0.0', url: 'http://repo/p1' },
    has_vulnerabilities: false,
    max_severity: null,
    num_vulnerabilities: 0,
    scan_id: 1,
  };
  /** The sequelize story: a fresh server that never loaded an advisory scans a lock file pinning sequelize 3.23.5. */
  const emptyDatabase = {
    complete: false,
    evaluated: 0,
    not_evaluated: 1,
    not_evaluated_components: [
      {
        ecosystem: 'npm',
        name: 'sequelize',
        version: '3.23.5',
        reason: 'no_advisory_data',
        detail: 'the repository holds no npm advisories',
        location: { path: 'package/package-lock.json', line: 9 },
      },
    ],
    limit_reached: null,
    ecosystems: [
      { ecosystem: 'npm', components: 1, evaluated: 0, advisories: 0, advisories_updated_at: null },
    ],
  };

  const gate = async (detail: Record<string, unknown> | null, rules: Partial<GateSettings> = {}) => {
    repo.on('GET', '/packages/acme/dev/p1/', { status: 200, json: scanned });
    repo.on('GET', '/vulnerabilities/acme/dev/p1/', { status: 200, json: detail ? [listItem] : [] });
    repo.on('GET', '/vulnerabilities/acme/dev/p1/s1/', {
      status: 200,
      json: { ...listItem, scans: [], ...(detail ?? {}) },
    });
    const runtime = new FakeRuntime();
    const client = new RepositoryClient({ baseUrl: repo.url, apiKey: 'k' });
    const options: GateOptions = {
      owner: 'acme',
      repo: 'dev',
      packages: [item],
      waitTimeoutSec: 0,
      rules: resolveGateSettings(rules),
      outputDir: dir,
    };
    return { runtime, result: await runGate(runtime, client, options, { now: () => NOW }) };
  };

  beforeAll(async () => {
    repo = await startScriptedServer();
    dir = tempDir('airlock-gate-coverage-');
  });
  afterAll(async () => {
    await repo.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails a clean scan that evaluated nothing, saying which ecosystem lacks data and how to load it', async () => {
    const { runtime, result } = await gate({ coverage: emptyDatabase });
    expect(result.verdict.result).toBe('fail');
    expect(result.verdict.reasons).toEqual([
      'shop 1.0.0: npm: advisory data never loaded, so 1 of 1 component was not evaluated — run `airlock-server advisories sync` on the repository service.',
    ]);
    expect(runtime.outputs).toMatchObject({
      result: 'fail',
      critical: '0',
      'components-evaluated': '0',
      'components-not-evaluated': '1',
    });
    expect(runtime.log.join('\n')).toMatch(/Gate failed: 0 critical.*; 0 of 1 component evaluated\./);
    // Where the component was found is told in the project's terms, as for findings.
    expect(result.verdict.packages[0]!.coverage?.notEvaluatedComponents[0]?.location).toEqual({
      path: 'package-lock.json',
      line: 9,
    });
    const report = readGateReport(result.findingsPath);
    expect(report.packages[0]!.coverage?.status).toBe('incomplete');
  });

  it('passes it with on-incomplete pass, warning about it', async () => {
    const { runtime, result } = await gate({ coverage: emptyDatabase }, { onIncomplete: 'pass' });
    expect(result.verdict.result).toBe('pass');
    expect(runtime.log.join('\n')).toMatch(
      /warning: shop 1\.0\.0: npm: advisory data never loaded.*on-incomplete is pass/,
    );
    expect(runtime.outputs['components-not-evaluated']).toBe('1');
  });

  it('fails on advisory data older than max-advisory-age', async () => {
    const stale = {
      ...emptyDatabase,
      complete: true,
      evaluated: 1,
      not_evaluated: 0,
      not_evaluated_components: [],
      ecosystems: [
        {
          ecosystem: 'npm',
          components: 1,
          evaluated: 1,
          advisories: 40,
          advisories_updated_at: '2025-06-06T12:00:00Z',
        },
      ],
    };
    const { result } = await gate({ coverage: stale });
    expect(result.verdict.reasons).toEqual([
      'shop 1.0.0: advisory data for npm is 9 days old (max-advisory-age 7d) — sync it (`airlock-server advisories sync` on the repository service) or raise max-advisory-age.',
    ]);
    const { result: relaxed } = await gate({ coverage: stale }, { maxAdvisoryAgeSec: 10 * 86400 });
    expect(relaxed.verdict.result).toBe('pass');
  });

  it('passes a repository that does not report coverage, leaving the counts empty', async () => {
    for (const detail of [{}, null]) {
      const { runtime, result } = await gate(detail);
      expect(result.verdict.result).toBe('pass');
      expect(result.verdict.packages[0]!.coverage?.status).toBe('not-reported');
      expect(runtime.outputs).toMatchObject({ 'components-evaluated': '', 'components-not-evaluated': '' });
      expect(runtime.log.join('\n')).toMatch(/coverage not reported by the repository/);
    }
  });

  it('fails a scan whose coverage report it cannot read, naming the field', async () => {
    const { result } = await gate({ coverage: { ...emptyDatabase, evaluated: 'none' } });
    expect(result.verdict.result).toBe('fail');
    expect(result.verdict.reasons.join(' ')).toMatch(
      /the scan failed \(the scan's coverage report has an unreadable `evaluated`.*on-scan-error is fail/,
    );
  });
});

describe('the gate step on a fresh service that never loaded an advisory', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ limits: { requestsPerHour: 0 } });
    await createRepos(server, 'dev');
    dir = tempDir('airlock-gate-fresh-');
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails a lock file pinning sequelize 3.23.5 instead of passing it with "no vulnerabilities found"', async () => {
    const file = writeFile(
      dir,
      'orm-app-1.0.0.tgz',
      await npmAppTarball('orm-app', '1.0.0', { name: 'sequelize', version: '3.23.5' }),
    );
    const runtime = new FakeRuntime();
    const { client, timing } = stepClient(runtime, adminConnection(server));
    const pushed = await pushPackages(
      runtime,
      client,
      pushSettings(adminConnection(server), { files: [file] }),
    );
    const result = await runGate(
      runtime,
      client,
      {
        owner: 'acme',
        repo: 'dev',
        packages: pushed.packages,
        waitTimeoutSec: 60,
        rules: resolveGateSettings(),
        outputDir: dir,
      },
      { timing },
    );
    expect(result.verdict.result).toBe('fail');
    expect(result.verdict.totals.critical).toBe(0);
    expect(result.verdict.reasons.join(' ')).toMatch(
      /^orm-app 1\.0\.0: npm: advisory data never loaded.*run `airlock-server advisories sync` on the repository service\./,
    );
    expect(Number(runtime.outputs['components-not-evaluated'])).toBeGreaterThan(0);
  });
});
