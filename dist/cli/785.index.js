"use strict";
exports.id = 785;
exports.ids = [785];
exports.modules = {

/***/ 7785:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L5: () => (/* binding */ retry),
/* harmony export */   ft: () => (/* binding */ DEFAULT_TIMING),
/* harmony export */   mu: () => (/* binding */ parseRetryAfter),
/* harmony export */   uk: () => (/* binding */ realSleep)
/* harmony export */ });
/* unused harmony export backoffDelay */
/** Timing defaults used when a caller leaves them out. */
const DEFAULT_TIMING = {
    baseDelayMs: 1000,
    maxDelayMs: 30_000,
    maxRetryAfterMs: 60_000,
};
/** Waits `ms` milliseconds on a real timer. */
function realSleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
/**
 * The wait before retry number `retry` (1-based): exponential backoff with full jitter, i.e. a
 * uniform draw in [0, min(max, base·2^(retry-1))). Full jitter spreads clients that failed
 * together so they do not come back together.
 */
function backoffDelay(retry, timing = {}) {
    const base = timing.baseDelayMs ?? DEFAULT_TIMING.baseDelayMs;
    const max = timing.maxDelayMs ?? DEFAULT_TIMING.maxDelayMs;
    const ceiling = Math.min(max, base * 2 ** Math.max(0, retry - 1));
    return Math.floor((timing.random ?? Math.random)() * ceiling);
}
/**
 * Reads a `Retry-After` header: delay seconds or an HTTP date. Returns milliseconds, capped at
 * `capMs`, or undefined when the header is absent or unreadable.
 */
function parseRetryAfter(value, now, capMs = DEFAULT_TIMING.maxRetryAfterMs) {
    const text = Array.isArray(value) ? value[0] : value;
    if (text === undefined || text.trim() === '')
        return undefined;
    let ms;
    if (/^\s*\d+(\.\d+)?\s*$/.test(text))
        ms = Number(text) * 1000;
    else {
        const at = Date.parse(text);
        if (Number.isNaN(at))
            return undefined;
        ms = at - now;
    }
    return Math.min(capMs, Math.max(0, Math.round(ms)));
}
/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, the retries run out or the deadline
 * passes; then rethrows the last error. A server-chosen delay (Retry-After) replaces the backoff.
 */
async function retry(fn, options) {
    const sleep = options.sleep ?? realSleep;
    const now = options.now ?? Date.now;
    for (let attempt = 0;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            if (attempt >= options.retries)
                throw error;
            const decision = options.shouldRetry(error, attempt);
            if (decision === false)
                throw error;
            const delayMs = decision.retryAfterMs ?? backoffDelay(attempt + 1, options);
            if (options.deadline !== undefined && now() + delayMs >= options.deadline)
                throw error;
            options.onRetry?.({ retry: attempt + 1, retries: options.retries, delayMs, error });
            await sleep(delayMs);
        }
    }
}


/***/ })

};
;