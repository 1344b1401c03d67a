import { ForeignOutput, type ForeignOutputTarget } from '../../src/cli/foreign-output.js';

function recorder(): ForeignOutputTarget & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    setSecret: (s) => lines.push(`secret ${s}`),
  };
}

describe('ForeignOutput (what libraries print on stdout while the CLI runs)', () => {
  it('turns workflow commands into log lines of the runtime, unescaping their data', () => {
    const target = recorder();
    const out = new ForeignOutput({ write: () => undefined });
    out.attach(target);
    out.write(
      "::debug::Search path '/w/dist'\n::warning file=a.ts,line=3::two%0Alines\n::add-mask::s3cret\n",
    );
    out.write('::error::bad%25\nplain text\n::group::Upload\n::endgroup::\n');
    expect(target.lines).toEqual([
      "debug Search path '/w/dist'",
      'warning two\nlines',
      'secret s3cret',
      'error bad%',
      'info plain text',
      'info ── Upload',
      'debug endgroup',
    ]);
  });

  it('waits for the end of a line written in pieces, and takes buffers and callbacks as a stream does', () => {
    const target = recorder();
    const out = new ForeignOutput({ write: () => undefined });
    out.attach(target);
    let called = false;
    const done = (): void => void (called = true);
    out.write('::debug::hal');
    expect(target.lines).toEqual([]);
    expect(out.write(Buffer.from('f\nrest'), done)).toBe(true);
    out.flush();
    expect(target.lines).toEqual(['debug half', 'info rest']);
    return new Promise<void>((resolve) => process.nextTick(() => (expect(called).toBe(true), resolve())));
  });

  it('defuses workflow commands and drops masks before a runtime is attached', () => {
    let fallback = '';
    const out = new ForeignOutput({ write: (chunk: string) => (fallback += chunk) });
    out.write('::debug::early\n::add-mask::s3cret\nhello\n');
    expect(fallback).toBe(': :debug::early\nhello\n');
  });
});
