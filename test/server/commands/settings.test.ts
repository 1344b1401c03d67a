import fs from 'node:fs';
import path from 'node:path';
import { main, type Io } from '../../../src/server/main.js';
import { resolveServerConfig } from '../../../src/server/commands/resolve-config.js';
import { SETTINGS, settingsMarkdown } from '../../../src/server/commands/settings.js';
import { ServerConfigSchema } from '../../../src/server/config.js';
import { tempDir } from '../../helpers/server.js';

function capture(env: NodeJS.ProcessEnv = {}): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env,
    stdout: () => out,
    stderr: () => err,
  };
}

describe('server settings: flags, environment and config file', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('airlock-settings-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function configFile(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  it('takes a flag over the environment, the environment over the file, the file over the default', () => {
    const file = configFile(
      'precedence.yaml',
      'dataDir: /srv/from-file\nport: 7001\nhost: 10.0.0.1\nlimits:\n  uploadBytes: 1000\n  requestsPerHour: 5\n',
    );
    const config = resolveServerConfig(
      { config: file, port: '7003' },
      { AIRLOCK_PORT: '7002', AIRLOCK_HOST: '10.0.0.2', AIRLOCK_LIMITS_UPLOAD_BYTES: '2000' },
    );
    expect(config.port).toBe(7003);
    expect(config.host).toBe('10.0.0.2');
    expect(config.dataDir).toBe('/srv/from-file');
    expect(config.limits.uploadBytes).toBe(2000);
    expect(config.limits.requestsPerHour).toBe(5);
    expect(config.limits.uploadTtlSeconds).toBe(3600);
  });

  it('reads the config file named by AIRLOCK_CONFIG', () => {
    const file = configFile('env.yaml', 'dataDir: /srv/a\nwebhooks:\n  retryDelaysSeconds: [1, 2]\n');
    const config = resolveServerConfig({}, { AIRLOCK_CONFIG: file });
    expect(config.webhooks.retryDelaysSeconds).toEqual([1, 2]);
  });

  it('reaches nested settings: database pool, S3 blob store, trust of proxies, scan limits, secret file', () => {
    const config = resolveServerConfig(
      {
        'data-dir': '/srv/x',
        'database-url': 'postgres://db.internal/airlock',
        'database-pool-size': '25',
        'blob-store': 's3://packages',
        's3-endpoint': 'http://127.0.0.1:9000',
        'no-s3-force-path-style': true,
        'trust-proxy': '10.0.0.0/8,127.0.0.1',
        'scan-timeout-seconds': '30',
        'secret-file': '/run/airlock/secret',
        'webhooks-retry-delays-seconds': '5,10',
        'advisories-sync-interval': '30m',
      },
      { AIRLOCK_S3_REGION: 'eu-west-1', AIRLOCK_PUBLIC_URL: 'https://pkg.example' },
    );
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://db.internal/airlock',
      poolSize: 25,
    });
    expect(config.blobs).toEqual({
      kind: 's3',
      presignDownloads: false,
      bucket: 'packages',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      forcePathStyle: false,
    });
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(config.scan.timeoutSeconds).toBe(30);
    expect(config.secretFile).toBe('/run/airlock/secret');
    expect(config.webhooks.retryDelaysSeconds).toEqual([5, 10]);
    expect(config.advisories.syncIntervalSeconds).toBe(1800);
    expect(config.publicUrl).toBe('https://pkg.example');
    expect(resolveServerConfig({ 'data-dir': '/d', 'trust-proxy': '2' }, {}).trustProxy).toBe(2);
    expect(resolveServerConfig({ 'data-dir': '/d' }, { AIRLOCK_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('names the file and the key of an unknown or mistyped config key', () => {
    const file = configFile('bad.yaml', 'dataDir: /srv/x\nlimits:\n  uploadByte: 5\nport: eighty\n');
    expect(() => resolveServerConfig({ config: file }, {})).toThrow(
      new RegExp(`config file ${file}: unknown key 'limits\\.uploadByte'; port: .*`),
    );
    const kind = configFile('kind.yaml', 'dataDir: /srv/x\ndatabase:\n  kind: mysql\n');
    expect(() => resolveServerConfig({ config: kind }, {})).toThrow(
      /database\.kind: expected one of sqlite, postgres/,
    );
    const nested = configFile(
      'nested.yaml',
      'dataDir: /srv/x\nblobs:\n  kind: s3\n  bucket: b\n  regio: x\n',
    );
    expect(() => resolveServerConfig({ config: nested }, {})).toThrow(/unknown key 'blobs\.regio'/);
  });

  it('names the flag or variable of a bad value, and the key and file of an out-of-range one', () => {
    expect(() => resolveServerConfig({ 'data-dir': '/d', port: 'x' }, {})).toThrow(
      /^--port: expected a whole number, got 'x'$/,
    );
    expect(() => resolveServerConfig({ 'data-dir': '/d' }, { AIRLOCK_LIMITS_UPLOAD_BYTES: '1e9' })).toThrow(
      /^AIRLOCK_LIMITS_UPLOAD_BYTES: expected a whole number/,
    );
    expect(() => resolveServerConfig({ 'data-dir': '/d', port: '70000' }, {})).toThrow(
      /^--port: must be <= 65535/,
    );
    const file = configFile('range.yaml', 'dataDir: /srv/x\nscan:\n  workerHeapMb: 1\n');
    expect(() => resolveServerConfig({ config: file }, {})).toThrow(
      new RegExp(`^config file ${file}: scan\\.workerHeapMb: must be >= 16`),
    );
    expect(() => resolveServerConfig({ 'data-dir': '/d' }, { AIRLOCK_SCAN_WORKER_HEAP_MB: '1' })).toThrow(
      /^AIRLOCK_SCAN_WORKER_HEAP_MB: must be >= 16/,
    );
    expect(() => resolveServerConfig({ 'data-dir': '/d', 'blob-store': 'gcs://x' }, {})).toThrow(
      /^--blob-store: expected fs or s3:\/\/BUCKET/,
    );
    expect(() => resolveServerConfig({ 'data-dir': '/d', 'trust-proxy': '10.0.0.0/40' }, {})).toThrow(
      /^--trust-proxy: .*'10\.0\.0\.0\/40'/,
    );
    expect(() => resolveServerConfig({ config: path.join(dir, 'missing.yaml') }, {})).toThrow(
      /missing\.yaml cannot be read \(ENOENT\)/,
    );
  });

  it('says what is missing when S3 settings come without an S3 blob store, or a pool size without PostgreSQL', () => {
    expect(() => resolveServerConfig({ 'data-dir': '/d' }, { AIRLOCK_S3_REGION: 'eu-west-1' })).toThrow(
      /^AIRLOCK_S3_REGION: an S3 setting needs an S3 blob store \(--blob-store s3:\/\/BUCKET/,
    );
    expect(() => resolveServerConfig({ 'data-dir': '/d', 'database-pool-size': '5' }, {})).toThrow(
      /^--database-pool-size: a pool size needs PostgreSQL/,
    );
  });

  it('never echoes a database URL it refuses (it may hold a password)', () => {
    expect(() =>
      resolveServerConfig({ 'data-dir': '/d', 'database-url': 'mysql://u:hunter2@h/db' }, {}),
    ).toThrow(/^--database-url: expected a postgres:\/\/ or postgresql:\/\/ URL$/);
  });

  it('reports a bad setting as a usage error (exit 2), without a stack trace', async () => {
    const io = capture({ AIRLOCK_PORT: 'eighty' });
    expect(await main(['serve', '--data-dir', dir], io)).toBe(2);
    expect(io.stderr()).toMatch(/^airlock-server: AIRLOCK_PORT: expected a whole number, got 'eighty'\n/);
    expect(io.stderr()).not.toMatch(/\n\s+at /);
  });

  it('lists every setting in serve --help with its flag, variables, config key and default', async () => {
    const io = capture();
    expect(await main(['serve', '--help'], io)).toBe(0);
    for (const setting of SETTINGS) {
      expect(io.stdout()).toContain(`--${setting.flag}`);
      expect(io.stdout()).toContain(
        `env ${setting.env.join(', ')}; config ${setting.key}; default ${setting.default}`,
      );
    }
    expect(io.stdout()).toContain('--config FILE');
  });

  it('has a setting for every key of the config schema', () => {
    const keys: string[] = [];
    const walk = (schema: { properties?: Record<string, unknown> }, prefix: string): void => {
      for (const [name, sub] of Object.entries(schema.properties ?? {})) {
        const node = sub as { type?: string; properties?: Record<string, unknown> };
        if (node.type === 'object' && node.properties) walk(node, `${prefix}${name}.`);
        else keys.push(`${prefix}${name}`);
      }
    };
    walk(ServerConfigSchema as never, '');
    const covered = new Set(SETTINGS.map((s) => s.key));
    // database and blobs are tagged unions: their flags set kind and the variant's keys.
    const unions = new Set(['database', 'blobs']);
    expect(keys.filter((key) => !covered.has(key) && !unions.has(key))).toEqual([]);
    expect(SETTINGS.map((s) => s.key)).toEqual(
      expect.arrayContaining(['database.url', 'database.poolSize', 'blobs', 'blobs.endpoint']),
    );
  });

  it('keeps the settings table of docs/self-hosting.md in step with the settings', () => {
    const doc = fs.readFileSync(new URL('../../../docs/self-hosting.md', import.meta.url), 'utf8');
    expect(doc).toContain(settingsMarkdown());
  });
});
