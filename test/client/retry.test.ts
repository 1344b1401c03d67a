import { backoffDelay, parseRetryAfter, retry } from '../../src/client/retry.js';

describe('backoffDelay', () => {
  it('draws from zero up to a ceiling that doubles with every retry', () => {
    const top = { random: () => 0.999999, baseDelayMs: 100, maxDelayMs: 100_000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, top))).toEqual([99, 199, 399, 799]);
    expect(backoffDelay(3, { ...top, random: () => 0 })).toBe(0);
  });

  it('never exceeds the largest ceiling', () => {
    expect(backoffDelay(30, { random: () => 0.999999, baseDelayMs: 1000, maxDelayMs: 5000 })).toBe(4999);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');

  it('reads delay seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:12 GMT', now)).toBe(12_000);
  });

  it('caps what the server asks for', () => {
    expect(parseRetryAfter('86400', now, 60_000)).toBe(60_000);
  });

  it('treats a date in the past as no wait, and ignores what it cannot read', () => {
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retry', () => {
  it('retries until the call succeeds, waiting the backoff between attempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      {
        retries: 5,
        shouldRetry: () => ({}),
        sleep: async (ms) => void waits.push(ms),
        random: () => 0.5,
        baseDelayMs: 100,
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after the allowed retries and rethrows the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { retries: 2, shouldRetry: () => ({}), sleep: async () => {} },
      ),
    ).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('stops at once when the predicate says the failure is final', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('forbidden');
        },
        { retries: 5, shouldRetry: () => false, sleep: async () => {} },
      ),
    ).rejects.toThrow('forbidden');
    expect(calls).toBe(1);
  });

  it('waits what the server asked for instead of the backoff', async () => {
    const waits: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        if (++calls === 1) throw new Error('throttled');
      },
      { retries: 1, shouldRetry: () => ({ retryAfterMs: 4321 }), sleep: async (ms) => void waits.push(ms) },
    );
    expect(waits).toEqual([4321]);
  });

  it('starts no attempt that would begin after the deadline', async () => {
    let clock = 0;
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('not yet');
        },
        {
          retries: 100,
          shouldRetry: () => ({ retryAfterMs: 1000 }),
          sleep: async (ms) => void (clock += ms),
          now: () => clock,
          deadline: 3500,
        },
      ),
    ).rejects.toThrow('not yet');
    expect(calls).toBe(4);
  });
});
