import fs from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { ROOT } from '../helpers/runner.js';

const doc = fs.readFileSync(path.join(ROOT, 'docs/cli.md'), 'utf8');

/** The text of a `### …` section of docs/cli.md. */
function section(heading: string): string {
  const start = doc.indexOf(`### ${heading}\n`);
  if (start === -1) return '';
  const next = doc.indexOf('\n### ', start + 1);
  return doc.slice(start, next === -1 ? undefined : next);
}

describe('docs/cli.md', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    "documents every flag of '%s' with its variable and default",
    (_name, command) => {
      const text = section(`\`airlock ${command.name}\``);
      expect(text).not.toBe('');
      for (const flag of command.flags.filter((f) => !['json', 'output', 'help'].includes(f.name))) {
        const env = flag.env.map((e) => `\`${e}\``).join(', ');
        const row = `| \`--${flag.name}\` | ${env} | ${flag.default !== undefined ? `\`${flag.default}\`` : ''} |`;
        expect(text).toContain(row);
      }
      const documented = [...text.matchAll(/^\| `--([\w-]+)` \|/gm)].map((m) => m[1]);
      expect(documented.sort()).toEqual(
        command.flags
          .map((f) => f.name)
          .filter((n) => !['json', 'output', 'help'].includes(n))
          .sort(),
      );
    },
  );

  it('lists every command and exit code', () => {
    for (const command of COMMANDS) expect(doc).toContain(`| \`airlock ${command.name}\` |`);
    for (const code of Object.values(ExitCode)) expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| `, 'm'));
  });
});
