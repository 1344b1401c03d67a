import fs from 'node:fs';
import { ERROR_CODES } from '../../../src/server/domain/errors.js';
import { ERROR_STATUS } from '../../../src/server/http/errors.js';

describe('the error catalogue', () => {
  const doc = fs.readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

  it.each(ERROR_CODES.map((c) => [c]))('documents %s with its HTTP status', (code) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${ERROR_STATUS[code]} |`);
  });
});
