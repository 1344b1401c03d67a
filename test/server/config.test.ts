import { configProblems, parseConfig } from '../../src/server/config.js';
import { schemaErrors } from '../../src/server/schema-check.js';

describe('the server configuration check', () => {
  it('fills defaults at every depth, inside the chosen kind of blob store too', () => {
    const config = parseConfig({
      dataDir: '/srv/airlock',
      blobs: { kind: 's3', bucket: 'artifacts' },
    } as never);
    expect(config.blobs).toEqual({
      kind: 's3',
      bucket: 'artifacts',
      region: 'us-east-1',
      forcePathStyle: true,
      presignDownloads: false,
    });
    expect(config.limits.uploadTtlSeconds).toBe(3600);
    expect(config.database).toEqual({ kind: 'sqlite' });
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('keeps values that were given over the defaults', () => {
    const config = parseConfig({ dataDir: '/srv/airlock', port: 9000, limits: { uploadBytes: 10 } });
    expect(config.port).toBe(9000);
    expect(config.limits.uploadBytes).toBe(10);
    expect(config.limits.jsonBodyBytes).toBe(1024 * 1024);
  });

  it('names every bad setting by its path', () => {
    expect(() =>
      parseConfig({ dataDir: '/srv/airlock', port: 70000, scan: { workerHeapMb: 3 } } as never),
    ).toThrow(
      /^Invalid server configuration: \/port: must be <= 65535; \/scan\/workerHeapMb: must be >= 16$/,
    );
  });

  it('says which key a tagged setting is missing', () => {
    const problems = configProblems({ dataDir: '/srv/airlock', database: { kind: 'postgres' } });
    expect(problems).toContainEqual({ path: '/database', message: "must have required property 'url'" });
  });

  it('refuses a configuration that is not an object, or lacks the data directory', () => {
    expect(configProblems(null)).toEqual([{ path: '/', message: 'must be object' }]);
    expect(configProblems({})).toEqual([{ path: '/', message: "must have required property 'dataDir'" }]);
  });

  it('reports nothing for a value that fits a schema', () => {
    expect(schemaErrors({ type: 'integer', minimum: 1 }, 2)).toEqual([]);
    expect(schemaErrors({ type: 'integer', minimum: 1 }, 0)).toEqual([
      { instancePath: '', message: 'must be >= 1' },
    ]);
  });
});
