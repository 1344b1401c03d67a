import { RepositoryClient } from '../../src/client/client.js';
import { waitForScans } from '../../src/steps/wait.js';
import type { PushedPackage } from '../../src/steps/types.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import {
  startScriptedServer,
  type RecordedRequest,
  type ScriptedServer,
} from '../helpers/scripted-server.js';

const ITEM: PushedPackage = {
  slug_perm: 'p1',
  name: 'widget',
  version: '1.0.0',
  format: 'npm',
  filename: 'widget-1.0.0.tgz',
  url: 'http://repo/acme/dev/p1',
};

/** The fields of a package the wait reads. */
function pkg(scan: string, sync: { failed?: boolean; reason?: string } = {}): Record<string, unknown> {
  return {
    slug_perm: 'p1',
    slug: 'widget-100',
    name: 'widget',
    version: '1.0.0',
    security_scan_status: scan,
    is_sync_failed: sync.failed ?? false,
    is_sync_completed: !sync.failed,
    status_reason: sync.reason ?? '',
    status_str: sync.failed ? 'Failed' : 'Completed',
    self_url: 'http://repo/packages/acme/dev/p1/',
  };
}

const STATUS = { is_sync_completed: true, is_sync_failed: false, self_url: 'x' };

describe('waiting for the repository to scan packages', () => {
  let server: ScriptedServer;
  let clock: number;
  let sleeps: number[];
  const deps = () => ({
    now: () => clock,
    timing: {
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
    },
  });
  const waitParams = () =>
    server
      .calls('GET', '/packages/acme/dev/p1/status/')
      .map((r) => new URL(r.url, 'http://x').searchParams.get('wait'));
  /** A long-poll that holds the answer as long as asked. */
  const longPoll = (req: RecordedRequest) => {
    clock += Number(new URL(req.url, 'http://x').searchParams.get('wait')) * 1000;
    return { status: 200, json: STATUS };
  };

  beforeEach(async () => {
    server = await startScriptedServer();
    clock = 1_000_000;
    sleeps = [];
  });
  afterEach(() => server.close());

  const wait = (timeoutSec: number) => {
    const runtime = new FakeRuntime();
    const client = new RepositoryClient({
      baseUrl: server.url,
      apiKey: 'k',
      timing: { sleep: async () => {} },
    });
    return waitForScans(runtime, client, [ITEM], { owner: 'acme', repo: 'dev', timeoutSec }, deps());
  };

  it('long-polls until the scan finishes, never asking for more than the time left', async () => {
    server.on(
      'GET',
      '/packages/acme/dev/p1/',
      { status: 200, json: pkg('Awaiting Security Scan') },
      { status: 200, json: pkg('Security Scanning in Progress') },
      { status: 200, json: pkg('Scan Detected Vulnerabilities') },
    );
    server.on('GET', '/packages/acme/dev/p1/status/', longPoll);
    const [result] = await wait(100);
    expect(result).toMatchObject({
      status: 'complete',
      securityScanStatus: 'Scan Detected Vulnerabilities',
      waitedMs: 60_000,
    });
    expect(waitParams()).toEqual(['30', '30']);
    expect(sleeps).toEqual([]);
  });

  it('does not pause when a long-poll answers early because the scan finished', async () => {
    server.on(
      'GET',
      '/packages/acme/dev/p1/',
      { status: 200, json: pkg('Security Scanning in Progress') },
      { status: 200, json: pkg('Scan Detected No Vulnerabilities') },
    );
    server.on('GET', '/packages/acme/dev/p1/status/', { status: 200, json: STATUS });
    const [result] = await wait(600);
    expect(result).toMatchObject({ status: 'complete', waitedMs: 0 });
    expect(sleeps).toEqual([]);
  });

  it('ends as a timeout at the deadline, the last poll cut to the time left', async () => {
    server.on('GET', '/packages/acme/dev/p1/', { status: 200, json: pkg('Security Scanning in Progress') });
    server.on('GET', '/packages/acme/dev/p1/status/', longPoll);
    const [result] = await wait(50);
    expect(result).toMatchObject({
      status: 'timeout',
      detail: expect.stringContaining('Security Scanning in Progress'),
    });
    expect(waitParams()).toEqual(['30', '20']);
  });

  it('pauses, longer each time, between polls of a server that answers at once', async () => {
    server.on('GET', '/packages/acme/dev/p1/', { status: 200, json: pkg('Awaiting Security Scan') });
    server.on('GET', '/packages/acme/dev/p1/status/', { status: 200, json: STATUS });
    const [result] = await wait(20);
    expect(result?.status).toBe('timeout');
    expect(sleeps).toEqual([1000, 2000, 4000, 5000, 5000, 3000]);
  });

  it.each([
    ['a failed scan', 'error', pkg('Security Scanning Failed'), 'Security Scanning Failed'],
    ['an unsupported package', 'not_supported', pkg('Security Scanning Not Supported'), undefined],
    ['a disabled scan', 'not_supported', pkg('Security Scanning Disabled'), undefined],
    ['a clean scan', 'complete', pkg('Scan Detected No Vulnerabilities'), undefined],
    [
      'a package that failed to synchronise',
      'error',
      pkg('Awaiting Security Scan', { failed: true, reason: 'checksum mismatch' }),
      'the package failed to synchronise: checksum mismatch',
    ],
  ])('reports %s as %s', async (_what, status, answer, detail) => {
    server.on('GET', '/packages/acme/dev/p1/', { status: 200, json: answer });
    const [result] = await wait(60);
    expect(result?.status).toBe(status);
    expect(result?.detail).toBe(detail);
    expect(waitParams()).toEqual([]);
  });
});
