import { readPipelineSettings } from '../../src/config/pipeline.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';

const BASE = { 'api-url': 'https://repo.test', repo: 'dev', files: 'dist/*.tgz' };

describe('readPipelineSettings', () => {
  it('authenticates through OIDC when org and service-slug are given, and takes the owner from org', async () => {
    const settings = await readPipelineSettings(
      new FakeRuntime({ inputs: { ...BASE, org: 'acme', 'service-slug': 'ci-bot', destination: 'prod' } }),
    );
    expect(settings.auth).toMatchObject({ org: 'acme', serviceSlug: 'ci-bot', audience: 'airlock' });
    expect(settings.connection).toBeNull();
    expect(settings.push).toMatchObject({ owner: 'acme', repo: 'dev', files: ['dist/*.tgz'] });
    expect(settings.gate.waitTimeoutSec).toBe(600);
    expect(settings.promote).toEqual({ destination: 'prod', mode: 'copy', quarantineOnFail: false });
  });

  it('reuses the credential an earlier auth step exported when none is given', async () => {
    const runtime = new FakeRuntime({
      inputs: { ...BASE, owner: 'acme' },
      env: { AIRLOCK_API_KEY: 'exported-token' },
    });
    const settings = await readPipelineSettings(runtime);
    expect(settings.auth).toBeNull();
    expect(settings.connection).toEqual({
      apiUrl: 'https://repo.test',
      apiKey: 'exported-token',
      retries: 3,
    });
    expect(settings.promote.destination).toBe('');
    expect(runtime.secrets).toContain('exported-token');
  });

  it.each([
    ['an unknown fail-on level', { 'fail-on': 'urgent' }, /^Input fail-on: "urgent" is not a severity level/],
    ['a malformed duration', { 'wait-timeout': '5 min' }, /^Input wait-timeout: "5 min" is not a duration/],
    [
      'a destination equal to repo',
      { destination: 'dev' },
      /^Input destination: 'dev' is the repository the packages are in/,
    ],
    ['no owner and no org', { org: '', 'service-slug': '', 'api-key': 'k' }, /^Input owner is required/],
  ])('refuses %s before anything runs', async (_what, inputs, message) => {
    const runtime = new FakeRuntime({ inputs: { ...BASE, org: 'acme', 'service-slug': 'ci', ...inputs } });
    await expect(readPipelineSettings(runtime)).rejects.toThrow(message);
  });
});
