/** A periodic or long-running job of the service (upload expiry, scan worker, webhook delivery). */
export interface BackgroundTask {
  name: string;
  start(): void;
  /**
   * Stops taking new work and waits for the current piece to finish — for a bounded time: a
   * piece stuck on something outside the service must not keep the service from stopping.
   */
  stop(): Promise<void>;
}

/** How long `stop()` of an {@link intervalTask} waits for its running tick, by default. */
export const DEFAULT_STOP_GRACE_MS = 5000;

/**
 * Waits until every promise has settled or `ms` have passed, whichever is first; true when all
 * settled. The timer does not keep the process alive.
 */
export async function settleWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops every task at once and waits at most `ms` for all of them; returns the names of those
 * that had not stopped by then.
 */
export async function stopTasks(tasks: readonly BackgroundTask[], ms: number): Promise<string[]> {
  const left = new Set(tasks.map((t) => t.name));
  await settleWithin(
    tasks.map((t) => t.stop().finally(() => left.delete(t.name))),
    ms,
  );
  return [...left];
}

/**
 * Runs `tick` every `intervalMs`, never two at once; errors go to `onError` and the loop goes on.
 * `kick()` runs a tick soon without waiting for the interval. `stop()` waits for a running tick
 * at most `stopGraceMs`.
 */
export function intervalTask(
  name: string,
  intervalMs: number,
  tick: () => Promise<void>,
  onError: (err: unknown) => void,
  stopGraceMs = DEFAULT_STOP_GRACE_MS,
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
      if (running) await settleWithin([running], stopGraceMs);
    },
  };
}
