import { hashKey } from '../../../src/server/domain/access.js';
import { newId } from '../../../src/server/domain/ids.js';
import {
  countLiveAdvisories,
  feedTimes,
  findAdvisoriesByKey,
  loadStoredVersions,
  upsertFeed,
  writeAdvisories,
  type AdvisoryRows,
} from '../../../src/server/store/advisories.js';
import {
  changeProvider,
  deleteTokensExpiredBefore,
  findOrgRef,
  findProviderRecord,
  findServicesBySlug,
  insertProvider,
  insertToken,
  linkServices,
  markTokenRevoked,
  resolveTokenByHash,
} from '../../../src/server/store/oidc.js';
import {
  findPolicyTarget,
  insertPolicy,
  listPolicyRecords,
  recordPolicyOutcome,
} from '../../../src/server/store/policies.js';
import {
  findScanTarget,
  latestComponentCounts,
  listFindings,
  listScans,
  packagesWithComponents,
  recordScan,
  replaceComponents,
  type NewScan,
} from '../../../src/server/store/scans.js';
import {
  changeWebhook,
  findLiveWebhook,
  insertDelivery,
  insertWebhook,
  listDeliveries,
  nextWebhookSeq,
  recordDeliveryStanding,
  type WebhookRecord,
} from '../../../src/server/store/webhooks.js';
import type { TestServer } from '../../helpers/server.js';
import { api, BACKENDS, createRepo, startServerOn, uploadPackage } from '../../helpers/upload.js';

function advisory(id: string, alias: string, withdrawn: string | null, ecosystem: string): AdvisoryRows {
  return {
    advisory: {
      id,
      id_key: id.toUpperCase(),
      modified: '2026-01-01T00:00:00Z',
      published: null,
      withdrawn,
      summary: `summary of ${id}`,
      details: '',
      severity_level: 'High',
      severity_score: 7.5,
      severity_source: 'CVSS_V3',
      severity_vector: null,
      refs: [{ type: 'WEB', url: `https://example.com/${id}` }],
      raw: { schema_version: '1.6.0' },
      digest: 'd',
      source: 'test',
      imported_at: '2026-01-01T00:00:00Z',
    },
    aliases: [{ advisory_id: id, alias, alias_key: alias.toUpperCase() }],
    packages: [
      {
        advisory_id: id,
        position: 0,
        ecosystem,
        name: 'left-pad',
        name_key: 'left-pad',
        purl: null,
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.0' }] }],
        versions: ['1.0.0'],
        severity_level: null,
        severity_score: null,
        severity_source: null,
        severity_vector: null,
      },
    ],
  };
}

describe.each(BACKENDS)('the subsystem stores on %s', (backend) => {
  let server: TestServer;
  let pkg: { id: string; org_id: string; repo_id: string };

  beforeAll(async () => {
    server = await startServerOn(backend);
    await createRepo(server, 'dev');
    const uploaded = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'raw',
      Buffer.from('store'),
      'store.bin',
      {
        name: 'store',
        version: '1',
      },
    );
    pkg = (await findScanTarget(server.ctx, uploaded.body.slug_perm))!;
  }, 60_000);
  afterAll(() => server?.close());

  it('keeps policy settings as objects and replaces a package’s violations, quarantining it once', async () => {
    const id = newId();
    const now = new Date().toISOString();
    const settings = { min_severity: 'High', on_violation_quarantine: true, nested: { list: [1, 2] } };
    await insertPolicy(server.ctx, {
      id,
      org_id: pkg.org_id,
      kind: 'vulnerability',
      name: 'stored',
      description: '',
      settings,
      package_query_string: '',
      created_at: now,
      updated_at: now,
    });
    const listed = await listPolicyRecords(server.ctx, pkg.org_id, ['vulnerability']);
    expect(listed.find((p) => p.id === id)?.settings).toEqual(settings);

    const violation = { policyId: id, kind: 'vulnerability' as const, reasons: ['CVE-1 (High) in x 1'] };
    await recordPolicyOutcome(server.ctx, pkg, [{ ...violation, id: newId() }], now, now);
    await recordPolicyOutcome(server.ctx, pkg, [{ ...violation, id: newId() }], now, null);
    expect(await findPolicyTarget(server.ctx, pkg.id)).toMatchObject({ is_quarantined: 1 });
    const shown = await api<{ package: { identifier: string }; reasons: string[] }[]>(
      server,
      'GET',
      '/orgs/acme/vulnerability-policy-violation/',
    );
    expect(shown.body.filter((v) => v.package.identifier === pkg.id)).toEqual([
      expect.objectContaining({ reasons: violation.reasons }),
    ]);
    await recordPolicyOutcome(server.ctx, pkg, [], now, null);
    const cleared = await api<unknown[]>(server, 'GET', '/orgs/acme/vulnerability-policy-violation/');
    expect(cleared.body).toEqual([]);
  });

  it('numbers webhooks per repository, keeps their events as lists and tallies deliveries', async () => {
    const now = new Date().toISOString();
    const make = async (): Promise<WebhookRecord> => {
      const hook: WebhookRecord = {
        id: newId(),
        org_id: pkg.org_id,
        repo_id: pkg.repo_id,
        seq: await nextWebhookSeq(server.ctx, pkg.repo_id),
        target_url: 'http://127.0.0.1:9/hook',
        events: ['package.created', '*'],
        is_active: 1,
        package_query: '',
        request_body_format: 0,
        signature_key: null,
        secret_header: null,
        secret_value: null,
        verify_ssl: 1,
        num_sent: 0,
        failed_in_a_row: 0,
        last_response_status: null,
        disable_reason: 0,
        disable_detail: null,
        created_at: now,
        created_by: null,
        updated_at: now,
        updated_by: null,
        deleted_at: null,
      };
      await insertWebhook(server.ctx, hook);
      return hook;
    };
    const first = await make();
    const second = await make();
    expect(second.seq).toBe(first.seq + 1);
    expect(await findLiveWebhook(server.ctx, pkg.repo_id, String(second.seq))).toMatchObject({
      id: second.id,
      events: ['package.created', '*'],
    });
    await changeWebhook(server.ctx, second.id, { events: ['package.deleted'] });
    expect((await findLiveWebhook(server.ctx, pkg.repo_id, second.id))?.events).toEqual(['package.deleted']);

    for (const [attempt, ok] of [
      [1, true],
      [2, false],
    ] as const) {
      await insertDelivery(server.ctx, {
        id: newId(16),
        webhook_id: second.id,
        trigger_id: 't',
        event: 'ping',
        attempt,
        attempted_at: new Date(Date.parse(now) + attempt * 1000).toISOString(),
        status_code: ok ? 200 : 500,
        error: ok ? null : 'receiver answered 500',
        duration_ms: 1,
        outcome: ok ? 'delivered' : 'failed',
      });
      await recordDeliveryStanding(server.ctx, second.id, {
        lastResponseStatus: ok ? 200 : 500,
        sent: ok,
        failedInARow: ok ? 0 : 1,
        disableDetail: ok ? null : 'disabled after 1 failed delivery',
      });
    }
    const after = await findLiveWebhook(server.ctx, pkg.repo_id, second.id);
    expect(after).toMatchObject({ num_sent: 1, failed_in_a_row: 1, is_active: 0, disable_reason: 1 });
    const log = await listDeliveries(server.ctx, second.id, { offset: 0, size: 10 });
    expect(log.count).toBe(2);
    expect(log.items.map((d) => d.attempt)).toEqual([2, 1]);
  });

  it('reads unreadable claim rules as null and resolves a token only while it grants access', async () => {
    const org = (await findOrgRef(server.ctx, 'acme'))!;
    // The org's own admin account, made with the org.
    const [admin] = await findServicesBySlug(server.ctx, org.id, ['acme-admin']);
    const now = new Date();
    const providerId = newId();
    await insertProvider(server.ctx, {
      id: providerId,
      org_id: org.id,
      slug: `p-${providerId.toLowerCase()}`,
      name: 'stored provider',
      enabled: 1,
      provider_url: 'https://issuer.example.com',
      audience: 'airlock',
      claims: { repository: 'owner/repo' },
      token_ttl_seconds: 60,
      created_at: now.toISOString(),
      created_by: null,
      updated_at: now.toISOString(),
    });
    expect((await findProviderRecord(server.ctx, org.id, providerId))?.claims).toEqual({
      repository: 'owner/repo',
    });
    await server.ctx.db
      .updateTable('oidc_providers')
      .set({ claims: 'not json' })
      .where('id', '=', providerId)
      .execute();
    expect((await findProviderRecord(server.ctx, org.id, providerId))?.claims).toBeNull();
    await changeProvider(server.ctx, providerId, { claims: {} });

    const secret = 'alo_stored-token';
    const tokenId = newId();
    const identity = { issuer: 'https://issuer.example.com', subject: 'repo:owner/repo', run_id: 7 };
    await insertToken(server.ctx, {
      id: tokenId,
      key_hash: hashKey(server.ctx.secret, secret),
      org_id: org.id,
      service_id: admin!.id,
      provider_id: providerId,
      subject: identity.subject,
      identity,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 60_000).toISOString(),
    });
    const keyHash = hashKey(server.ctx.secret, secret);
    // Not attached to the provider yet: the token grants nothing.
    expect(await resolveTokenByHash(server.ctx, keyHash, now.toISOString())).toBeUndefined();
    await linkServices(server.ctx, providerId, [admin!.id]);
    expect(await resolveTokenByHash(server.ctx, keyHash, now.toISOString())).toMatchObject({
      token_id: tokenId,
      identity,
    });
    expect(await markTokenRevoked(server.ctx, tokenId, now.toISOString())).toBe(true);
    expect(await markTokenRevoked(server.ctx, tokenId, now.toISOString())).toBe(false);
    expect(await resolveTokenByHash(server.ctx, keyHash, now.toISOString())).toBeUndefined();
    expect(await deleteTokensExpiredBefore(server.ctx, new Date(now.getTime() + 120_000).toISOString())).toBe(
      1,
    );
  });

  it('numbers scans across the service and keeps their findings, coverage and component index', async () => {
    const scan = (completedAt: string, evaluated: number): NewScan => ({
      id: newId(),
      package_id: pkg.id,
      org_id: pkg.org_id,
      repo_id: pkg.repo_id,
      outcome: 'clean',
      reason: '',
      num_components: evaluated,
      num_components_evaluated: evaluated,
      num_components_not_evaluated: 0,
      limit_reached: null,
      coverage: {
        not_evaluated_components: [],
        ecosystems: [{ ecosystem: 'npm', components: 1, evaluated: 1 }],
      },
      num_vulnerabilities: 0,
      max_severity: null,
      started_at: completedAt,
      completed_at: completedAt,
    });
    const older = scan('2026-01-01T00:00:00.000Z', 1);
    const newer = scan('2026-01-02T00:00:00.000Z', 2);
    await recordScan(server.ctx, older, [], 'Scan Detected No Vulnerabilities', async () => undefined);
    const findings = [{ target: 'package-lock.json', type: 'npm', results: [] }];
    await recordScan(server.ctx, newer, findings, 'Scan Detected No Vulnerabilities', async () => undefined);
    const listed = await listScans(server.ctx, { packageId: pkg.id });
    expect(listed.map((s) => s.id)).toEqual([newer.id, older.id]);
    expect(listed[0]!.seq).toBe(listed[1]!.seq + 1);
    expect(listed[0]!.coverage).toEqual(newer.coverage);
    expect(await listFindings(server.ctx, newer.id)).toEqual(findings);
    expect((await latestComponentCounts(server.ctx, [pkg.id])).get(pkg.id)).toMatchObject({ evaluated: 2 });

    await replaceComponents(server.ctx, pkg.id, [['npm', 'left-pad', '1.0.0', 'package-lock.json']]);
    expect([...(await packagesWithComponents(server.ctx, 'npm', ['left-pad', 'other']))]).toEqual([pkg.id]);
    await replaceComponents(server.ctx, pkg.id, []);
    expect(await packagesWithComponents(server.ctx, 'npm', ['left-pad'])).toEqual(new Set());
  });

  it('finds advisories by alias key, counts only live ones, replaces them whole and keeps feed times', async () => {
    await writeAdvisories(
      server.ctx,
      [],
      [
        advisory('TEST-LIVE-1', 'CVE-2026-0001', null, 'npm'),
        advisory('TEST-GONE-1', 'CVE-2026-0002', '2026-02-01T00:00:00Z', 'npm'),
      ],
    );
    const found = await findAdvisoriesByKey(server.ctx, 'CVE-2026-0001');
    expect(found.advisories.map((a) => [a.id, a.refs])).toEqual([
      ['TEST-LIVE-1', [{ type: 'WEB', url: 'https://example.com/TEST-LIVE-1' }]],
    ]);
    expect(found.packages).toEqual([
      expect.objectContaining({
        ranges: advisory('x', 'y', null, 'npm').packages[0]!.ranges,
        versions: ['1.0.0'],
      }),
    ]);
    expect(await countLiveAdvisories(server.ctx, ['npm'])).toEqual({ npm: 1 });
    // Replacing an advisory drops its old rows in the same write.
    await writeAdvisories(
      server.ctx,
      ['TEST-LIVE-1'],
      [advisory('TEST-LIVE-1', 'CVE-2026-0003', null, 'npm')],
    );
    expect((await findAdvisoriesByKey(server.ctx, 'CVE-2026-0001')).advisories).toEqual([]);
    expect((await loadStoredVersions(server.ctx, ['TEST-LIVE-1'])).size).toBe(1);

    await upsertFeed(server.ctx, 'npm', { source: 'a', updated_at: '2026-01-01T00:00:00.000Z' });
    await upsertFeed(server.ctx, 'npm', { checked_at: '2026-01-03T00:00:00.000Z' });
    expect(await feedTimes(server.ctx, ['npm', 'PyPI'])).toEqual([
      { ecosystem: 'npm', updated_at: '2026-01-01T00:00:00.000Z', checked_at: '2026-01-03T00:00:00.000Z' },
    ]);
  });
});
