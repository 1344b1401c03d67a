import { readConnection } from '../../src/config/connection.js';
import { readPushSettings } from '../../src/config/push.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';

const BASE = {
  'api-url': 'https://repo.test/',
  'api-key': 'key-1',
  owner: 'acme',
  repo: 'dev',
  files: 'dist/*.tgz',
};

describe('readConnection', () => {
  it('defaults to what the auth step exported and masks the key at once', () => {
    const runtime = new FakeRuntime({
      env: { AIRLOCK_API_URL: 'https://repo.test', AIRLOCK_API_KEY: 'exported' },
    });
    expect(readConnection(runtime)).toEqual({ apiUrl: 'https://repo.test', apiKey: 'exported', retries: 3 });
    expect(runtime.secrets).toEqual(['exported']);
  });

  it.each([
    [{}, /^Input api-url is required: .*run the auth action earlier/],
    [{ 'api-url': 'https://repo.test' }, /^Input api-key is required: run the auth action earlier/],
    [{ 'api-url': 'repo.test', 'api-key': 'k' }, /^Input api-url: 'repo.test' is not an API URL/],
    [
      { 'api-url': 'https://repo.test', 'api-key': 'k', retries: '-1' },
      /^Input retries: '-1' is not a retry count/,
    ],
  ])('refuses %j naming the input', (inputs, message) => {
    expect(() => readConnection(new FakeRuntime({ inputs }))).toThrow(message);
  });
});

describe('readPushSettings', () => {
  it('reads the inputs with the documented defaults', () => {
    expect(
      readPushSettings(new FakeRuntime({ inputs: { ...BASE, files: 'dist/*.tgz\n\n!dist/skip.tgz\n' } })),
    ).toEqual({
      connection: { apiUrl: 'https://repo.test', apiKey: 'key-1', retries: 3 },
      owner: 'acme',
      repo: 'dev',
      files: ['dist/*.tgz', '!dist/skip.tgz'],
      format: 'auto',
      tags: [],
      republish: false,
      parallel: 4,
    });
  });

  it.each([
    ['tags separated by commas and new lines, once each', { tags: 'a, b\nc,a' }, { tags: ['a', 'b', 'c'] }],
    ['a format in capitals', { format: 'NPM' }, { format: 'npm' }],
    [
      'raw with a name and version',
      { format: 'raw', name: 'tool', version: '1.0' },
      { name: 'tool', version: '1.0' },
    ],
    ['republish', { republish: 'true' }, { republish: true }],
    ['parallel 16', { parallel: '16' }, { parallel: 16 }],
    ['owner and repo from an earlier push', { owner: '', repo: '' }, { owner: 'env-org', repo: 'env-repo' }],
  ])('reads %s', (_what, inputs, expected) => {
    const runtime = new FakeRuntime({
      inputs: { ...BASE, ...inputs },
      env: { AIRLOCK_OWNER: 'env-org', AIRLOCK_REPO: 'env-repo' },
    });
    expect(readPushSettings(runtime)).toMatchObject(expected);
  });

  it.each([
    ['no files', { files: '' }, /^Input files is required: give one glob per line/],
    [
      'an unknown format',
      { format: 'maven' },
      /^Input format: 'maven' is not a format; use auto .*, npm, python or raw/,
    ],
    [
      'raw without a version',
      { format: 'raw', name: 'tool' },
      /^Input version is required when format is raw/,
    ],
    [
      'parallel 0',
      { parallel: '0' },
      /^Input parallel: '0' is not accepted; use a whole number from 1 to 16/,
    ],
    ['a tag with a space', { tags: 'two words' }, /^Input tags: 'two words' is not a tag/],
    ['republish maybe', { republish: 'maybe' }, /Input republish: 'maybe' is not a boolean/],
    ['an owner that is not a slug', { owner: 'ac me' }, /^Input owner: 'ac me' is not a slug/],
    ['no repo', { repo: '' }, /^Input repo is required/],
  ])('refuses %s, naming the input and the accepted forms', (_what, inputs, message) => {
    expect(() => readPushSettings(new FakeRuntime({ inputs: { ...BASE, ...inputs } }))).toThrow(message);
  });
});
