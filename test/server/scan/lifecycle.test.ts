import crypto from 'node:crypto';
import http from 'node:http';
import { importAdvisories } from '../../../src/server/scan/advisories/import.js';
import { pickDependency, type DemoDependency } from '../../../src/demo/samples.js';
import { enqueueRescans } from '../../../src/server/scan/rescan.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTar } from '../../fixtures/packages/archives.js';
import { NPM_ADVISORIES } from '../../helpers/advisories.js';
import { loadArchive } from './advisories-data.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { api, createRepo, uploadPackage } from '../../helpers/upload.js';

function lockfile(name: string, deps: Record<string, string>): string {
  const packages: Record<string, unknown> = { '': { name, version: '1.0.0', dependencies: deps } };
  for (const [dep, version] of Object.entries(deps)) packages[`node_modules/${dep}`] = { version };
  return JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages });
}

async function appTarball(name: string, deps: Record<string, string>): Promise<Buffer> {
  const manifest = { name, version: '1.0.0', license: 'MIT', dependencies: deps };
  return makeTar([
    { name: 'package/package.json', content: JSON.stringify(manifest) },
    { name: 'package/package-lock.json', content: lockfile(name, deps) },
  ]);
}

async function waitScanned(server: TestServer, id: string): Promise<Record<string, unknown>> {
  await server.services.scan.waitForScan(id, 20);
  const res = await api<Record<string, unknown>>(server, 'GET', `/packages/acme/dev/${id}/`);
  return res.body;
}

describe('the scan lifecycle', () => {
  let server: TestServer;
  let pick: DemoDependency;
  let receiver: http.Server;
  const received: {
    event: string;
    trigger: string;
    status: number;
    body: string;
    headers: http.IncomingHttpHeaders;
  }[] = [];
  const attemptsByTrigger = new Map<string, number>();

  beforeAll(async () => {
    pick = await pickDependency(NPM_ADVISORIES);
    // A receiver that fails the first two attempts of every delivery, then accepts it.
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const trigger = String(req.headers['x-airlock-delivery']);
        const n = (attemptsByTrigger.get(trigger) ?? 0) + 1;
        attemptsByTrigger.set(trigger, n);
        const status = n <= 2 ? 500 : 200;
        received.push({
          event: String(req.headers['x-airlock-event']),
          trigger,
          status,
          body,
          headers: req.headers,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    server = await startTestServer({ webhooks: { retryDelaysSeconds: [0, 0, 0] } });
    const imported = await importAdvisories(server.ctx.db, NPM_ADVISORIES);
    expect(imported.added.length).toBe((await loadArchive('npm')).length);
    await createRepo(server, 'dev');
    const port = (receiver.address() as { port: number }).port;
    const hook = await api(server, 'POST', '/webhooks/acme/dev/', {
      target_url: `http://127.0.0.1:${port}/hook`,
      events: ['package.security_scanned', 'package.quarantined'],
      signature_key: 'hook-secret',
    });
    expect(hook.status).toBe(201);
    const policy = await api(server, 'POST', '/orgs/acme/vulnerability-policy/', {
      name: 'nothing medium or worse',
      min_severity: 'Low',
      on_violation_quarantine: true,
      package_query_string: 'name:app-vuln',
    });
    expect(policy.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await server.close();
    receiver.close();
  });

  it('finds exactly the advisory a pinned dependency is affected by, and reports its fixed version', async () => {
    const created = await uploadPackage<{ slug_perm: string; security_scan_status: string }>(
      server,
      'dev',
      'npm',
      await appTarball('app-vuln', { [pick.name]: pick.vulnerable }),
      'app-vuln-1.0.0.tgz',
    );
    expect(created.status).toBe(201);
    const pkg = await waitScanned(server, created.body.slug_perm);
    expect(pkg.security_scan_status).toBe('Scan Detected Vulnerabilities');

    const list = await api<{ identifier: string; num_vulnerabilities: number }[]>(
      server,
      'GET',
      `/vulnerabilities/acme/dev/${created.body.slug_perm}/`,
    );
    expect(list.body).toHaveLength(1);
    const detail = await api<{
      scans: {
        target: string;
        results: {
          vulnerability_id: string;
          package_name: string;
          fixed_version: { version: string } | null;
        }[];
      }[];
    }>(server, 'GET', `/vulnerabilities/acme/dev/${created.body.slug_perm}/${list.body[0]!.identifier}/`);
    const results = detail.body.scans.flatMap((s) => s.results);
    expect(results.map((r) => r.vulnerability_id)).toContain(pick.advisory);
    const mine = results.find((r) => r.vulnerability_id === pick.advisory)!;
    expect(mine.package_name).toBe(pick.name);
    expect(mine.fixed_version?.version).toBe(pick.fixed);
    expect(list.body[0]!.num_vulnerabilities).toBe(results.length);
  });

  it('quarantines a package that violates a quarantining policy and records why', async () => {
    const listed = await api<{ slug_perm: string; is_quarantined: boolean; policy_violated: boolean }[]>(
      server,
      'GET',
      '/packages/acme/dev/?query=name:app-vuln',
    );
    const pkg = listed.body[0]!;
    expect(pkg.is_quarantined).toBe(true);
    expect(pkg.policy_violated).toBe(true);
    const violations = await api<{ package: { identifier: string }; reasons: string[] }[]>(
      server,
      'GET',
      '/orgs/acme/vulnerability-policy-violation/',
    );
    expect(violations.body).toEqual([
      expect.objectContaining({ package: expect.objectContaining({ identifier: pkg.slug_perm }) }),
    ]);
    expect(violations.body[0]!.reasons.join(' ')).toContain(pick.advisory);
    const download = await fetch(`${server.url}/packages/acme/dev/${pkg.slug_perm}/`, {
      headers: { 'X-Api-Key': server.adminKey },
    });
    const { cdn_url } = (await download.json()) as { cdn_url: string };
    expect((await fetch(cdn_url, { headers: { 'X-Api-Key': server.adminKey } })).status).toBe(403);
  });

  it('marks a package without vulnerable components clean and leaves it alone', async () => {
    const created = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'npm',
      await appTarball('app-clean', {}),
      'app-clean-1.0.0.tgz',
    );
    const pkg = await waitScanned(server, created.body.slug_perm);
    expect(pkg).toMatchObject({
      security_scan_status: 'Scan Detected No Vulnerabilities',
      is_quarantined: false,
      policy_violated: false,
    });
  });

  it('says a raw file of unknown content is not supported', async () => {
    const created = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'raw',
      crypto.randomBytes(4096),
      'blob.bin',
      {
        name: 'blob',
        version: '1',
      },
    );
    const pkg = await waitScanned(server, created.body.slug_perm);
    expect(pkg.security_scan_status).toBe('Security Scanning Not Supported');
  });

  it('delivers each scan event once to a receiver that fails twice, signed, with three attempts logged', async () => {
    const webhooks = await api<{ slug_perm: string }[]>(server, 'GET', '/webhooks/acme/dev/');
    const hookId = webhooks.body[0]!.slug_perm;
    const deadline = Date.now() + 15_000;
    let deliveries: { trigger_id: string; event: string; attempt: number; outcome: string }[] = [];
    while (Date.now() < deadline) {
      deliveries = (
        await api<typeof deliveries>(server, 'GET', `/webhooks/acme/dev/${hookId}/deliveries/?page_size=100`)
      ).body;
      const scanned = deliveries.filter(
        (d) => d.event === 'package.security_scanned' && d.outcome === 'delivered',
      );
      if (scanned.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const byTrigger = new Map<string, typeof deliveries>();
    for (const d of deliveries.filter((x) => x.event === 'package.security_scanned')) {
      byTrigger.set(d.trigger_id, [...(byTrigger.get(d.trigger_id) ?? []), d]);
    }
    expect(byTrigger.size).toBe(3);
    for (const attempts of byTrigger.values()) {
      expect(attempts.map((a) => a.outcome).sort()).toEqual(['delivered', 'retry', 'retry']);
    }
    const accepted = received.filter((r) => r.status === 200 && r.event === 'package.security_scanned');
    expect(accepted).toHaveLength(3);
    for (const r of accepted) {
      expect(r.headers['x-cloudsmith-signature']).toBe(
        crypto.createHmac('sha1', 'hook-secret').update(r.body).digest('hex'),
      );
      expect(r.headers['x-airlock-signature-256']).toBe(
        'sha256=' + crypto.createHmac('sha256', 'hook-secret').update(r.body).digest('hex'),
      );
      const payload = JSON.parse(r.body) as {
        data: { slug_perm: string };
        meta: { event_id: string; webhook_id: number };
      };
      expect(payload.meta.event_id).toBe('package.security_scanned');
      expect(payload.data.slug_perm).toMatch(/^[A-Za-z0-9]{12}$/);
    }
  });

  it('rescans a package when a newly imported advisory touches one of its components', async () => {
    const created = await uploadPackage<{ slug_perm: string }>(
      server,
      'dev',
      'npm',
      await appTarball('app-later', { 'airlock-test-dep': '2.0.0' }),
      'app-later-1.0.0.tgz',
    );
    const id = created.body.slug_perm;
    expect((await waitScanned(server, id)).security_scan_status).toBe('Scan Detected No Vulnerabilities');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-osv-'));
    const advisory = {
      id: 'TEST-2026-0001',
      modified: '2026-11-01T00:00:00Z',
      summary: 'test advisory published after the package',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'airlock-test-dep' },
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }],
        },
      ],
      database_specific: { severity: 'HIGH' },
    };
    fs.writeFileSync(path.join(dir, 'TEST-2026-0001.json'), JSON.stringify(advisory));
    const result = await importAdvisories(server.ctx.db, dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(await enqueueRescans(server.ctx.db, result.touched, new Date())).toBe(1);
    server.services.scan.worker.kick();
    const deadline = Date.now() + 15_000;
    let pkg = await waitScanned(server, id);
    while (pkg.security_scan_status !== 'Scan Detected Vulnerabilities' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      pkg = await waitScanned(server, id);
    }
    expect(pkg.security_scan_status).toBe('Scan Detected Vulnerabilities');
    const list = await api<{ identifier: string; max_severity: string }[]>(
      server,
      'GET',
      `/vulnerabilities/acme/dev/${id}/`,
    );
    expect(list.body).toHaveLength(2);
    expect(list.body[0]!.max_severity).toBe('High');
  });
});
