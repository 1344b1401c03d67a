import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const lib = fileURLToPath(new URL('../../lib/src/server/young-generation.js', import.meta.url));

/**
 * Runs a fresh process that drops 12 MiB of buffers, reports 8 MiB as spent and waits (up to
 * 3 s) for V8 to free them; prints `freed` or `held`.
 */
async function spentBuffersIn(hold: boolean): Promise<string> {
  const script = `
    const { holdYoungGeneration, noteSpentBuffers } = await import(${JSON.stringify(lib)});
    if (${hold}) holdYoungGeneration();
    let chunks = [];
    for (let i = 0; i < 192; i++) chunks.push(Buffer.alloc(64 * 1024, i));
    const before = process.memoryUsage().arrayBuffers;
    chunks = null;
    noteSpentBuffers(8 * 1024 * 1024);
    let freed = false;
    for (let i = 0; i < 60 && !freed; i++) {
      await new Promise((r) => setTimeout(r, 50));
      freed = process.memoryUsage().arrayBuffers < before - 8 * 1024 * 1024;
    }
    process.stdout.write(freed ? 'freed' : 'held');`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 15_000,
  });
  return stdout;
}

describe('spent upload buffers', () => {
  it('are freed by a young-generation collection once 8 MiB have been reported', async () => {
    await expect(spentBuffersIn(true)).resolves.toBe('freed');
  });

  it('wait for V8 when the process did not hold its young generation (nothing collects them)', async () => {
    await expect(spentBuffersIn(false)).resolves.toBe('held');
  });
});
