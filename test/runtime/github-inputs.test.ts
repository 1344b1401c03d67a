import * as core from '@actions/core';
import { jest } from '@jest/globals';
import fc from 'fast-check';
import { GitHubRuntime } from '../../src/runtime/github.js';
import { escapeCommandData, GitHubInputs } from '../../src/runtime/github-inputs.js';

/** Text with what the workflow-command syntax and input trimming care about. */
const text = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '%', ':', ',', '0', 'A', '\t', 'é') });

describe('GitHubInputs', () => {
  let stdout: string;
  const savedExitCode = process.exitCode;
  /** Where GitHubInputs writes here; its default writes to file descriptor 1 itself (fd-sink.ts). */
  const sink = { write: (chunk: string) => (stdout += chunk) };

  beforeEach(() => {
    stdout = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += chunk.toString();
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = savedExitCode;
  });

  /** What a call printed on stdout, the printed text cleared for the next call. */
  function printed(call: () => void): string {
    stdout = '';
    call();
    return stdout;
  }

  it('reads every input exactly as GitHubRuntime (over @actions/core) reads it', () => {
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('api-url', 'fail on', 'Files'),
        fc.record({ required: fc.boolean(), trimWhitespace: fc.boolean() }),
        (value, name, options) => {
          const variable = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
          const saved = process.env[variable];
          process.env[variable] = value;
          try {
            const ours = new GitHubInputs(process.env, sink);
            const theirs = new GitHubRuntime();
            const outcome = (read: () => unknown): unknown => {
              try {
                return { value: read() };
              } catch (err) {
                return { error: err instanceof Error ? err.message : String(err) };
              }
            };
            expect(outcome(() => ours.getInput(name, options))).toEqual(
              outcome(() => theirs.getInput(name, options)),
            );
            expect(outcome(() => ours.getMultilineInput(name, options))).toEqual(
              outcome(() => theirs.getMultilineInput(name, options)),
            );
            expect(outcome(() => ours.getBooleanInput(name, options))).toEqual(
              outcome(() => theirs.getBooleanInput(name, options)),
            );
          } finally {
            if (saved === undefined) delete process.env[variable];
            else process.env[variable] = saved;
          }
        },
      ),
    );
  });

  it('prints the same mask, warning and error commands as @actions/core', () => {
    fc.assert(
      fc.property(text.filter(Boolean), (message) => {
        expect(printed(() => new GitHubInputs(process.env, sink).setSecret(message))).toBe(
          printed(() => core.setSecret(message)),
        );
        expect(printed(() => new GitHubInputs(process.env, sink).warning(message))).toBe(
          printed(() => core.warning(message)),
        );
        expect(printed(() => new GitHubInputs(process.env, sink).fail(message))).toBe(
          printed(() => core.setFailed(message)),
        );
      }),
    );
  });

  it('masks a secret once, and the runtime it hands over to does not mask it again', () => {
    const inputs = new GitHubInputs(process.env, sink);
    expect(printed(() => inputs.setSecret('tok-1\n2'))).toBe('::add-mask::tok-1%0A2\n');
    expect(printed(() => inputs.setSecret('tok-1\n2'))).toBe('');
    expect(printed(() => new GitHubRuntime(process.env, inputs.masked).setSecret('tok-1\n2'))).toBe('');
  });

  it('fails the step with exit code 1', () => {
    process.exitCode = 0;
    new GitHubInputs(process.env, sink).fail('Input api-url is required');
    expect(process.exitCode).toBe(1);
    expect(stdout).toBe('::error::Input api-url is required\n');
  });

  it('escapes what would end or split a command', () => {
    expect(escapeCommandData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
  });

  it('reads its own environment when given one, not the process environment', () => {
    const inputs = new GitHubInputs({ 'INPUT_API-URL': ' https://repo.test ', AIRLOCK_OWNER: 'acme' });
    expect(inputs.getInput('api-url')).toBe('https://repo.test');
    expect(inputs.getEnv('AIRLOCK_OWNER')).toBe('acme');
    expect(() => inputs.getInput('org', { required: true })).toThrow('Input required and not supplied: org');
  });
});
