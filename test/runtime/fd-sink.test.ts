import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FD_SINK = fileURLToPath(new URL('../../lib/src/runtime/fd-sink.js', import.meta.url));

/** What the child writes: numbered lines, far more than a pipe holds (64 KiB on Linux). */
const LINES = 40_000;
const expected = Array.from({ length: LINES }, (_, i) => `line ${i} of the sink's output\n`).join('');

describe('fdSink on a descriptor that refuses a synchronous write', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-fd-sink-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hands the rest to the process stream, losing and reordering nothing', async () => {
    // The child's stdout is a FIFO whose open file description is non-blocking, as a parent
    // outside Node may hand one over: once the FIFO is full, a synchronous write fails with
    // EAGAIN instead of waiting. Node's spawn makes a child's standard descriptors blocking, so
    // a small Python step sets the flag again and then becomes the Node child.
    const fifo = path.join(dir, 'out');
    execFileSync('mkfifo', [fifo]);
    const writer = fs.openSync(fifo, fs.constants.O_RDWR);
    // Opened now, while a writer exists, so that opening it never waits for one.
    const readFd = fs.openSync(fifo, fs.constants.O_RDONLY);
    const script = [
      `const { fdSink } = await import(${JSON.stringify(FD_SINK)});`,
      'const sink = fdSink(1);',
      `for (let i = 0; i < ${LINES}; i++) sink.write(\`line \${i} of the sink's output\\n\`);`,
    ].join('\n');
    const nonBlockingExec = 'import os, sys; os.set_blocking(1, False); os.execv(sys.argv[1], sys.argv[1:])';
    const child = spawn(
      'python3',
      ['-c', nonBlockingExec, process.execPath, '--input-type=module', '-e', script],
      {
        stdio: ['ignore', writer, 'pipe'],
      },
    );
    fs.closeSync(writer);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

    // Nothing is read until the child has filled the FIFO and hit the refusal.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reader = fs.createReadStream('', { fd: readFd });
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of reader) {
      chunks.push(chunk as Buffer);
      received += (chunk as Buffer).length;
      if (received >= expected.length) break;
    }
    reader.destroy();

    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });
});
