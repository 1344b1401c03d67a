import { formatBytes, mapConcurrently, ProgressBoard } from '../../src/steps/progress.js';

describe('upload progress', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [50 * 1024 * 1024, '50.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('shows %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('prints a line only when the interval has passed, without the files that finished', () => {
    const lines: string[] = [];
    let clock = 0;
    const board = new ProgressBoard(
      (l) => lines.push(l),
      5000,
      () => clock,
    );
    board.update({ filename: 'a.tgz', sentBytes: 1024, totalBytes: 4096 });
    clock = 4999;
    board.update({ filename: 'b.whl', sentBytes: 10, totalBytes: 10 });
    expect(lines).toEqual([]);
    board.finish('b.whl');
    clock = 5000;
    board.update({ filename: 'a.tgz', sentBytes: 2048, totalBytes: 4096 });
    expect(lines).toEqual(['Uploading: a.tgz 2.0 KiB of 4.0 KiB (50%)']);
  });
});

describe('running uploads a few at a time', () => {
  it('never runs more than the limit at once and keeps the order of the results', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([30, 10, 20, 5, 15], 2, async (ms, i) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return `${i}:${ms}`;
    });
    expect(results).toEqual(['0:30', '1:10', '2:20', '3:5', '4:15']);
    expect(most).toBe(2);
  });

  it('starts nothing new after a failure, lets the running ones finish, then rejects', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapConcurrently([0, 1, 2, 3], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setImmediate(resolve));
      if (n === 0) throw new Error('upload 0 failed');
      await new Promise((resolve) => setImmediate(resolve));
      finished.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('upload 0 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });
});
