import fs from 'node:fs';

/** Somewhere text is written: a process stream, or a test's recorder. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** Whether a write failed only because a non-blocking descriptor was full. */
function wouldBlock(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'EAGAIN';
}

/**
 * Writes to the process's stdout (1) or stderr (2) with plain synchronous writes, as Node itself
 * writes to files and pipes on Linux, but without creating `process.stdout`/`process.stderr`:
 * the first use of those loads Node's stream modules, a few milliseconds of a start-up that only
 * has to print a line or two. Should the descriptor refuse a synchronous write (a non-blocking
 * pipe that is full), what is left and everything after goes through the process's stream.
 */
export function fdSink(fd: 1 | 2): TextSink {
  let stream: NodeJS.WriteStream | undefined;
  return {
    write(chunk: string): boolean {
      if (stream) return stream.write(chunk);
      const bytes = Buffer.from(chunk, 'utf8');
      let written = 0;
      try {
        while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
        return true;
      } catch (err) {
        if (!wouldBlock(err)) throw err;
        stream = fd === 1 ? process.stdout : process.stderr;
        return stream.write(bytes.subarray(written));
      }
    },
  };
}
