import { parseArgs, UsageError } from '../../src/cli/args.js';
import { cliFlag, type FlagSpec } from '../../src/cli/flags.js';

const FLAGS: FlagSpec[] = [
  cliFlag('api-url', 'value', 'API'),
  cliFlag('max-high', 'value', 'limit'),
  cliFlag('files', 'value', 'globs'),
  cliFlag('republish', 'boolean', 'again'),
  cliFlag('json', 'switch', 'json'),
  cliFlag('help', 'switch', 'help', []),
];

function usage(argv: string[]): string {
  try {
    parseArgs(argv, FLAGS);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('no usage error');
}

describe('parseArgs', () => {
  it('reads --name value, --name=value and switches', () => {
    const args = parseArgs(['--api-url', 'http://x', '--max-high=0', '--json'], FLAGS);
    expect(args.values).toEqual({ 'api-url': 'http://x', 'max-high': '0' });
    expect([...args.switches]).toEqual(['json']);
  });

  it('keeps a multi-line value whole, as a Jenkins step passes a list of globs', () => {
    expect(parseArgs(['--files', 'dist/*.tgz\nbuild/*.whl'], FLAGS).values.files).toBe(
      'dist/*.tgz\nbuild/*.whl',
    );
  });

  it('takes a value that starts with a dash when it is not one of the flags', () => {
    expect(parseArgs(['--max-high', '-1', '--files', '--weird'], FLAGS).values).toEqual({
      'max-high': '-1',
      files: '--weird',
    });
  });

  it('reads a bare boolean flag as true and a boolean flag with a value as that value', () => {
    expect(parseArgs(['--republish'], FLAGS).values.republish).toBe('true');
    expect(parseArgs(['--republish', '--json'], FLAGS).values.republish).toBe('true');
    expect(parseArgs(['--republish', 'false', '--json'], FLAGS).values.republish).toBe('false');
  });

  it('names an unknown flag and suggests the closest one', () => {
    expect(usage(['--max-hihg', '1'])).toBe('unknown flag --max-hihg (did you mean --max-high?)');
    expect(usage(['--colour'])).toBe('unknown flag --colour');
  });

  it('refuses a flag whose value is missing instead of taking the next flag as its value', () => {
    expect(usage(['--api-url', '--json'])).toBe('--api-url needs a value (--api-url VALUE)');
    expect(usage(['--api-url'])).toBe('--api-url needs a value (--api-url VALUE)');
  });

  it('refuses positional arguments, repeated flags and a value given to a switch', () => {
    expect(usage(['gate'])).toMatch(/^unexpected argument #1: every value is given with its flag/);
    expect(usage(['--json', '--json'])).toBe('--json is given more than once');
    expect(usage(['--json=yes'])).toBe('--json takes no value');
  });

  it('reads -h as --help', () => {
    expect(parseArgs(['-h'], FLAGS).switches.has('help')).toBe(true);
  });
});
