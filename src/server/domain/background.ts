/** A periodic or long-running job of the service (upload expiry, scan worker, webhook delivery). */
export interface BackgroundTask {
  name: string;
  start(): void;
  /** Stops taking new work and waits for the current piece to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` every `intervalMs`, never two at once; errors go to `onError` and the loop goes on.
 * `kick()` runs a tick soon without waiting for the interval.
 */
export function intervalTask(
  name: string,
  intervalMs: number,
  tick: () => Promise<void>,
  onError: (err: unknown) => void,
): BackgroundTask & { kick(): void } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;
  let again = false;
  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = tick()
      .catch(onError)
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          setImmediate(run);
        }
      });
  };
  return {
    name,
    start() {
      stopped = false;
      timer = setInterval(run, intervalMs);
      timer.unref();
    },
    kick() {
      if (!stopped) setImmediate(run);
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
