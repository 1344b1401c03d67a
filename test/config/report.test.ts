import fs from 'node:fs';
import path from 'node:path';
import { parseMatrix, readReportSettings } from '../../src/config/report.js';
import { FakeRuntime } from '../helpers/fake-runtime.js';
import { tempDir } from '../helpers/server.js';

describe('readReportSettings', () => {
  const dir = tempDir('airlock-report-config-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the run from the runner and masks the token', () => {
    const event = path.join(dir, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ pull_request: { number: 3, head: { sha: 'c'.repeat(40) } } }));
    const runtime = new FakeRuntime({
      inputs: { 'github-token': 'ghs_secret', matrix: '{"os":"linux"}' },
      env: {
        GITHUB_REPOSITORY: 'acme/web',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: event,
        GITHUB_SHA: 'd'.repeat(40),
        GITHUB_SERVER_URL: 'https://github.example.com',
        GITHUB_API_URL: 'https://github.example.com/api/v3',
        GITHUB_RUN_ID: '42',
        GITHUB_WORKFLOW: 'CI',
        GITHUB_JOB: 'build',
      },
    });
    const settings = readReportSettings(runtime);
    expect(runtime.secrets).toEqual(['ghs_secret']);
    expect(settings).toMatchObject({
      githubToken: 'ghs_secret',
      comment: true,
      checkName: 'Airlock gate',
      matrix: { os: 'linux' },
      github: {
        apiUrl: 'https://github.example.com/api/v3',
        jobKey: 'CI/build[os=linux]',
        context: {
          owner: 'acme',
          repo: 'web',
          eventName: 'pull_request',
          sha: 'd'.repeat(40),
          runUrl: 'https://github.example.com/acme/web/actions/runs/42',
        },
      },
    });
  });

  it('has no GitHub run outside GitHub Actions, and turns the comment off when asked', () => {
    const settings = readReportSettings(new FakeRuntime({ inputs: { comment: 'false' } }));
    expect(settings).toMatchObject({ github: null, comment: false, githubToken: '' });
  });

  it.each([
    ['', null],
    ['null', null],
    ['{}', null],
    ['{"node": 20}', { node: 20 }],
  ])('reads the matrix %j', (text, expected) => {
    expect(parseMatrix('matrix', text)).toEqual(expected);
  });

  it('refuses a comment input that is not a boolean', () => {
    expect(() => readReportSettings(new FakeRuntime({ inputs: { comment: 'off please' } }))).toThrow(
      /Input comment: 'off please' is not a boolean/,
    );
  });
});
