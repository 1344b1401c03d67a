import { EventEmitter } from 'node:events';

/**
 * Lets a request wait (bounded) for a package's scan to finish: `?wait=SECONDS` long-polling on
 * the package status endpoint. Scans finished by this process wake waiters at once; a short poll
 * of the database covers scans finished by another replica.
 */
export class ScanWaiters {
  private readonly events = new EventEmitter();

  constructor() {
    this.events.setMaxListeners(0);
  }

  /** Announces that a package's scan has finished. */
  notify(packageId: string): void {
    this.events.emit(packageId);
  }

  /**
   * Resolves when `isDone()` holds, `notify` is called for the package, or `seconds` pass —
   * whichever is first. Checks the database again every `pollMs`.
   */
  async wait(
    packageId: string,
    seconds: number,
    isDone: () => Promise<boolean>,
    pollMs = 1000,
  ): Promise<void> {
    if (seconds <= 0 || (await isDone())) return;
    const deadline = Date.now() + seconds * 1000;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        this.events.off(packageId, finish);
        resolve();
      };
      const poll = (): void => {
        const left = deadline - Date.now();
        if (left <= 0) return finish();
        timer = setTimeout(
          () => {
            isDone().then((done) => (done ? finish() : poll()), finish);
          },
          Math.min(pollMs, left),
        );
      };
      this.events.on(packageId, finish);
      poll();
    });
  }
}
