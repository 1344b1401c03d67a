import { ExitCode, type Command } from './command.js';
import type { FlagSpec } from './flags.js';

const WIDTH = 100;

/** Wraps `text` to `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : indent + word;
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

function describeFlag(flag: FlagSpec): string {
  const value = flag.kind === 'switch' ? '' : flag.kind === 'boolean' ? ' [true|false]' : ' VALUE';
  const head = `  --${flag.name}${value}`;
  const notes = [
    flag.default !== undefined ? `Default: ${flag.default}.` : '',
    flag.env.length ? `Env: ${flag.env.join(', ')}.` : '',
  ].filter(Boolean);
  return `${head}\n${wrap(`${flag.description} ${notes.join(' ')}`, WIDTH, '      ')}`;
}

/** The one-line usage of a subcommand, printed with every usage error. */
export function usageLine(command?: Command): string {
  return command
    ? `usage: airlock ${command.name} [--flag VALUE]... (airlock ${command.name} --help lists the flags)`
    : 'usage: airlock <auth|push|gate|promote|pipeline|report|whoami> [--flag VALUE]... (airlock --help)';
}

/** `airlock <command> --help`. */
export function commandHelp(command: Command): string {
  const fromAction = command.flags.filter((f) => f.source === 'action');
  const cliOnly = command.flags.filter((f) => f.source === 'cli');
  const where = command.action === '.' ? 'the root action.yml' : `${command.action}/action.yml`;
  const sections = [
    `airlock ${command.name} — ${command.summary}`,
    `Usage: airlock ${command.name} [--flag VALUE]...`,
    'Every flag not given is read from the environment variable shown (AIRLOCK_<NAME>).',
  ];
  if (fromAction.length)
    sections.push(`Flags (the inputs of ${where}):\n${fromAction.map(describeFlag).join('\n')}`);
  sections.push(`${fromAction.length ? 'CLI flags' : 'Flags'}:\n${cliOnly.map(describeFlag).join('\n')}`);
  sections.push(EXIT_CODES);
  return `${sections.join('\n\n')}\n`;
}

const EXIT_CODES = [
  'Exit codes:',
  `  ${ExitCode.Ok}  done (the gate passed)`,
  `  ${ExitCode.Error}  error: a bad flag or value, or the repository or GitHub refused or could not be reached`,
  `  ${ExitCode.GateFailed}  the gate failed`,
].join('\n');

/** `airlock --help`. */
export function mainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return (
    [
      'airlock — push build artifacts, gate them on their vulnerability scan, promote them, and report.',
      'Usage: airlock <command> [--flag VALUE]...\n       airlock <command> --help',
      `Commands:\n${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}`,
      'Flags are the GitHub Actions inputs of the same step (--api-url, --fail-on, …); each not given\n' +
        'is read from AIRLOCK_<NAME> (AIRLOCK_API_URL, AIRLOCK_FAIL_ON, …). --json prints one JSON result\n' +
        'on stdout (logs go to stderr); --output FILE writes it to a file. State between commands in one\n' +
        'workspace (the packages pushed, the last gate result) is kept in .airlock/.',
      EXIT_CODES,
    ].join('\n\n') + '\n'
  );
}
