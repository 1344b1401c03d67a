"use strict";
exports.id = 852;
exports.ids = [852];
exports.modules = {

/***/ 6468:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cu: () => (/* binding */ describeSendFailure),
/* harmony export */   LW: () => (/* binding */ classifyNetworkError),
/* harmony export */   Nk: () => (/* binding */ readErrorBody),
/* harmony export */   gJ: () => (/* binding */ errorMessage),
/* harmony export */   hD: () => (/* binding */ ApiError)
/* harmony export */ });
/* unused harmony export errorCode */
/**
 * A request the repository answered with a non-2xx status. Callers branch on `status` and `code`
 * (a 404 that means "not there yet", a 409 duplicate); the message names the call and the
 * server's own words, e.g. `POST /files/acme/dev/: 422 checksum_mismatch — sha256 differs`.
 */
class ApiError extends Error {
    method;
    path;
    status;
    detail;
    fields;
    code;
    attempts;
    retryAfterMs;
    constructor(init) {
        super(formatApiError(init));
        this.name = 'ApiError';
        this.method = init.method;
        this.path = init.path;
        this.status = init.status;
        this.detail = init.detail;
        this.fields = init.fields;
        this.code = init.code;
        this.attempts = init.attempts ?? 1;
        this.retryAfterMs = init.retryAfterMs;
    }
}
function formatApiError(init) {
    const label = init.code ? `${init.status} ${init.code}` : String(init.status);
    let text = `${init.method} ${init.path}: ${label} — ${init.detail}`;
    const fields = Object.entries(init.fields ?? {}).filter(([name]) => !init.detail.includes(name));
    if (fields.length > 0) {
        text += ` (${fields.map(([name, msgs]) => `${name}: ${msgs.join(' ')}`).join('; ')})`;
    }
    if ((init.attempts ?? 1) > 1)
        text += ` [after ${init.attempts} attempts]`;
    return text;
}
/**
 * Reads an error body: the service's `{detail, fields, code}`, the `error` key some servers use,
 * or the start of a non-JSON body.
 */
function readErrorBody(text, statusText) {
    let parsed;
    try {
        parsed = text ? JSON.parse(text) : undefined;
    }
    catch {
        parsed = undefined;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const body = parsed;
        const detail = typeof body.detail === 'string' ? body.detail : typeof body.error === 'string' ? body.error : undefined;
        const fields = isFieldMessages(body.fields) ? body.fields : undefined;
        const code = typeof body.code === 'string' ? body.code : undefined;
        if (detail !== undefined || fields !== undefined) {
            return { detail: detail ?? statusText, fields, code };
        }
    }
    const snippet = text.trim().replace(/\s+/g, ' ').slice(0, 200);
    return { detail: snippet || statusText || 'no detail given' };
}
function isFieldMessages(value) {
    if (!value || typeof value !== 'object' || Array.isArray(value))
        return false;
    return Object.values(value).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'));
}
/** Socket-level failures that say the server never saw the request. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);
/** Socket-level failures where the request may or may not have been processed. */
const MAYBE_SENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
/**
 * Classifies an error thrown while sending a request: `not-sent` (connection refused: safe to
 * retry any request), `maybe-sent` (reset, timeout: retry only idempotent requests), or null
 * (not a transient network failure).
 */
function classifyNetworkError(error) {
    const code = errorCode(error);
    if (code && NOT_SENT_CODES.has(code))
        return 'not-sent';
    if (code && MAYBE_SENT_CODES.has(code))
        return 'maybe-sent';
    const message = errorMessage(error);
    // @actions/http-client reports its socket timeout as a plain Error with this message.
    if (/^Request timeout/.test(message) || /socket hang up/.test(message))
        return 'maybe-sent';
    return null;
}
/**
 * The message of anything thrown. Checked by shape rather than `instanceof Error`: errors raised
 * by Node's own modules come from another realm when code runs inside a VM context (tests).
 */
function errorMessage(error) {
    if (typeof error === 'object' &&
        error !== null &&
        'message' in error &&
        typeof error.message === 'string') {
        return error.message;
    }
    return String(error);
}
/** The `code` of a system error (`ECONNRESET`), if it has one. */
function errorCode(error) {
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
        return error.code;
    }
    return undefined;
}
/** OpenSSL's words for a TLS handshake answered by something that is not TLS (a plain-HTTP server). */
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request/i;
/**
 * One line saying why a request to `url` could not be sent, for a person: a TLS handshake a
 * plain-HTTP server answered names the URL and the likely cause instead of OpenSSL's dump;
 * any other failure keeps its message, folded onto one line without OpenSSL's error-stack codes.
 */
function describeSendFailure(error, url) {
    const target = new URL(url);
    const origin = `${target.protocol}//${target.host}`;
    const message = errorMessage(error);
    if (target.protocol === 'https:' &&
        (errorCode(error) === 'EPROTO' || /^ERR_SSL_/.test(errorCode(error) ?? '')) &&
        NOT_TLS.test(message)) {
        return `${origin} did not answer the TLS handshake: it is most likely a plain-HTTP server, so use http://${target.host} (or the port where it serves HTTPS).`;
    }
    return message
        .replace(/\s*[0-9A-F]{8,}:error:[0-9A-F]{8}:[^:]*:[^:]*:([^:]*):\S*/g, ' $1')
        .replace(/\s+/g, ' ')
        .trim();
}


/***/ }),

/***/ 852:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  authenticate: () => (/* binding */ authenticate)
});

// UNUSED EXPORTS: REFRESH_MARGIN_MS, ensureFreshToken, exchangeIdToken, freshTokenSource, verifyToken

// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __webpack_require__(4942);
// EXTERNAL MODULE: ./src/client/errors.ts
var errors = __webpack_require__(6468);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
var external_node_http_default = /*#__PURE__*/__webpack_require__.n(external_node_http_);
// EXTERNAL MODULE: external "node:https"
var external_node_https_ = __webpack_require__(4708);
var external_node_https_default = /*#__PURE__*/__webpack_require__.n(external_node_https_);
;// CONCATENATED MODULE: ./src/client/file-body.ts



/**
 * Bytes read from the file per write. Two buffers of this size are reused for a whole request,
 * one filling while the socket takes the other: a fresh buffer per chunk (what a read stream
 * piped into a request allocates) costs the sender several times curl's CPU per GiB.
 */
const FILE_CHUNK_BYTES = 1024 * 1024;
/**
 * Sends `body` as the request's body and resolves with the response, which may come before the
 * whole body was sent (the server refused it early): sending stops then. The file is read into
 * two buffers that are reused once the connection has taken them, so memory stays at two chunks
 * whatever the file's size. Rejects with the socket's error, a timeout (`Request timeout: …`), or
 * an error saying the file changed, after which the request is abandoned rather than ended short.
 */
async function sendFileRequest(request, body) {
    const handle = await external_node_fs_default().promises.open(body.file, 'r');
    try {
        const { size } = await handle.stat();
        if (size !== body.fileSize) {
            throw new Error(`${body.file} changed after it was hashed: it has ${size} bytes, not ${body.fileSize}; nothing was sent.`);
        }
    }
    catch (err) {
        await handle.close();
        throw err;
    }
    const url = new URL(request.url);
    return new Promise((resolve, reject) => {
        const req = (url.protocol === 'https:' ? (external_node_https_default()) : (external_node_http_default())).request(url, {
            method: request.method,
            headers: request.headers,
            agent: request.agent,
        });
        let stopped = false;
        const closed = new Promise((done) => req.once('close', () => done(false)));
        req.once('response', (res) => {
            stopped = true;
            // An answer before the whole body was sent: once it has been read, the connection is of no
            // further use (it carries half a request), so it is closed rather than left to time out.
            res.once('close', () => {
                if (!req.writableEnded)
                    req.destroy();
            });
            resolve(res);
        });
        req.on('error', (err) => {
            stopped = true;
            reject(err);
        });
        req.setTimeout(request.timeoutMs, () => req.destroy(new Error(`Request timeout: ${url.pathname}`)));
        void writeBody(req, handle, body, () => stopped, closed)
            .then((complete) => {
            if (complete)
                req.end();
        }, (err) => req.destroy(err instanceof Error ? err : new Error(String(err))))
            // The request has settled either way; a failure to close a read-only file changes nothing.
            .finally(() => handle.close().catch(() => undefined));
    });
}
/**
 * Writes the body's range of the file into the request. Resolves true when every byte was handed
 * to the connection, false when it stopped first (an answer came, or the request closed).
 */
async function writeBody(req, handle, body, isStopped, closed) {
    const start = body.start ?? 0;
    const end = start + body.length;
    const chunk = Math.max(1, Math.min(FILE_CHUNK_BYTES, body.length));
    const buffers = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)];
    // Whether each buffer's last write went out: a buffer is refilled only once the socket took it.
    const taken = [Promise.resolve(true), Promise.resolve(true)];
    let sent = 0;
    for (let at = start, i = 0; at < end; i ^= 1) {
        if (!(await Promise.race([taken[i], closed])) || isStopped())
            return false;
        const buffer = buffers[i];
        const want = Math.min(chunk, end - at);
        const got = readFully(handle.fd, buffer, want, at);
        if (got < want) {
            throw new Error(`${body.file} changed while it was being sent: it ended at byte ${at + got}, not ${body.fileSize}; the upload was abandoned.`);
        }
        at += got;
        if (at === end) {
            // Before the last chunk goes: a file that grew (or was cut and refilled) is refused too.
            const { size } = await handle.stat();
            if (size !== body.fileSize) {
                throw new Error(`${body.file} changed while it was being sent: it has ${size} bytes now, not ${body.fileSize}; the upload was abandoned.`);
            }
        }
        if (isStopped())
            return false;
        taken[i] = new Promise((done) => req.write(buffer.subarray(0, got), (err) => {
            if (!err) {
                sent += got;
                body.onSent?.(sent);
            }
            done(!err);
        }));
    }
    // Every byte handed over: the request is ended even if the answer came meanwhile.
    const results = await Promise.race([Promise.all(taken), closed]);
    return results !== false && results.every(Boolean);
}
/**
 * Reads `length` bytes at `position` into `buffer`, fewer only at the end of the file. The read
 * is synchronous on purpose: the socket still holds the other buffer meanwhile, so nothing waits
 * on it, and a read handed to the thread pool instead cost the sender a third more CPU per GiB
 * (0.55 s against 0.40 s, with curl at 0.35 s, measured on loopback).
 */
function readFully(fd, buffer, length, position) {
    let got = 0;
    while (got < length) {
        const bytesRead = external_node_fs_default().readSync(fd, buffer, got, length - got, position + got);
        if (bytesRead === 0)
            break;
        got += bytesRead;
    }
    return got;
}

;// CONCATENATED MODULE: ./src/client/retry.ts
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

;// CONCATENATED MODULE: ./src/client/http.ts




const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** The default retryable statuses: request timeout, throttling, and server-side failures. */
function isRetryableStatus(status) {
    return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}
/**
 * JSON and streaming requests to the repository over @actions/http-client (which honours the
 * runner's proxy settings), with bounded, targeted retries and careful redirects: an HTTPS→HTTP
 * redirect is refused, and credentials go only to the API's own origin, so a redirect or an
 * upload URL on another host never sees them.
 */
class Transport {
    options;
    baseUrl;
    origin;
    clients = new Map();
    constructor(options) {
        this.options = options;
        const base = new URL(options.baseUrl);
        if (base.protocol !== 'https:' && base.protocol !== 'http:') {
            throw new Error(`Invalid API URL '${options.baseUrl}': expected an http(s) URL.`);
        }
        this.baseUrl = options.baseUrl.replace(/\/+$/, '');
        this.origin = base.origin;
    }
    /** One HttpClient per socket timeout; redirects and retries are handled here, not there. */
    httpClient(timeoutMs) {
        let client = this.clients.get(timeoutMs);
        if (!client) {
            client = new lib/* HttpClient */.Qq(this.options.userAgent ?? 'airlock', [], {
                allowRedirects: false,
                allowRetries: false,
                socketTimeout: timeoutMs,
            });
            this.clients.set(timeoutMs, client);
        }
        return client;
    }
    /** Sends a call, retrying as its options allow; resolves with a 2xx reply or throws ApiError. */
    async call(call) {
        const url = this.resolve(call.path, call.query);
        const path = new URL(url).pathname;
        const idempotent = call.idempotent ?? !['POST', 'PATCH'].includes(call.method);
        const retryStatus = call.retryStatus ?? isRetryableStatus;
        const now = this.options.now ?? Date.now;
        const timing = this.options.timing ?? {};
        let attempts = 0;
        try {
            return await retry(async () => {
                attempts++;
                return this.attempt(call, url, path, attempts);
            }, {
                ...timing,
                retries: call.retries ?? this.options.retries ?? 3,
                shouldRetry: (error) => {
                    if (error instanceof errors/* ApiError */.hD) {
                        if (!retryStatus(error.status))
                            return false;
                        if (!idempotent && error.status !== 429)
                            return false;
                        return { retryAfterMs: error.retryAfterMs };
                    }
                    const failure = (0,errors/* classifyNetworkError */.LW)(error);
                    if (failure === 'not-sent' || (failure === 'maybe-sent' && idempotent))
                        return {};
                    return false;
                },
                onRetry: (notice) => this.options.onRetry?.({ ...notice, method: call.method, path }),
                now,
            });
        }
        catch (error) {
            if (error instanceof errors/* ApiError */.hD)
                throw error;
            const reason = (0,errors/* describeSendFailure */.Cu)(error, url);
            const after = attempts > 1 ? ` [after ${attempts} attempts]` : '';
            throw new Error(`${call.method} ${path}: ${reason}${after}`, { cause: error });
        }
    }
    resolve(path, query) {
        const url = new URL(/^https?:\/\//i.test(path) ? path : this.baseUrl + (path.startsWith('/') ? path : `/${path}`));
        for (const [k, v] of Object.entries(query ?? {}))
            if (v !== undefined)
                url.searchParams.set(k, String(v));
        return url.toString();
    }
    async attempt(call, firstUrl, path, attempt) {
        let method = call.method;
        let url = firstUrl;
        let withBody = true;
        for (let hop = 0;; hop++) {
            const res = await this.send(method, url, call, withBody);
            const status = res.message.statusCode ?? 0;
            const location = res.message.headers.location;
            if (REDIRECTS.has(status) && location) {
                await res.readBody();
                if (hop >= MAX_REDIRECTS)
                    throw new Error(`too many redirects (more than ${MAX_REDIRECTS})`);
                ({ url, method, withBody } = followRedirect({ url, method, withBody }, status, location));
                continue;
            }
            const text = await res.readBody();
            if (status >= 200 && status < 300) {
                return { status, headers: res.message.headers, data: parseJson(text) };
            }
            throw new errors/* ApiError */.hD({
                method: call.method,
                path,
                status,
                ...(0,errors/* readErrorBody */.Nk)(text, res.message.statusMessage ?? ''),
                attempts: attempt,
                retryAfterMs: parseRetryAfter(res.message.headers['retry-after'], (this.options.now ?? Date.now)(), this.options.timing?.maxRetryAfterMs ?? DEFAULT_TIMING.maxRetryAfterMs),
            });
        }
    }
    async send(method, url, call, withBody) {
        const headers = { accept: 'application/json', ...lower(call.headers) };
        if (new URL(url).origin === this.origin)
            Object.assign(headers, await this.credentialHeaders());
        const timeoutMs = call.timeoutMs ?? this.options.timeoutMs ?? 60_000;
        const client = this.httpClient(timeoutMs);
        if (withBody && call.body) {
            headers['content-length'] = call.body.length;
            headers['content-type'] ??= call.body.contentType ?? 'application/octet-stream';
            if (client.userAgent)
                headers['user-agent'] = client.userAgent;
            // Sent here rather than piped through HttpClient, which takes a stream: see file-body.ts.
            // The agent is still HttpClient's, so the runner's proxy settings apply alike.
            const message = await sendFileRequest({ method, url, headers, agent: client.getAgent(url), timeoutMs }, call.body);
            return new lib/* HttpClientResponse */.bd(message);
        }
        let data = null;
        if (withBody && call.json !== undefined) {
            data = JSON.stringify(call.json);
            headers['content-type'] = 'application/json';
        }
        else if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
            data = '';
        }
        return client.request(method, url, data, headers);
    }
    async credentialHeaders() {
        const token = this.options.getToken ? await this.options.getToken() : this.options.apiKey;
        if (!token)
            return {};
        return this.options.authScheme === 'bearer'
            ? { authorization: `Bearer ${token}` }
            : { 'x-api-key': token };
    }
}
/**
 * The next hop of a redirect. Throws on HTTPS→HTTP. 303, and 301/302 after a POST, become a GET
 * without a body, as browsers do; 307 and 308 repeat the request as it was. Credentials are not
 * decided here: {@link Transport} sends them only to the API's own origin.
 */
function followRedirect(from, status, location) {
    const next = new URL(location, from.url);
    if (new URL(from.url).protocol === 'https:' && next.protocol !== 'https:') {
        throw new Error(`refused a redirect from HTTPS to ${next.protocol.replace(':', '').toUpperCase()} (${next.origin})`);
    }
    if (status === 303 || ((status === 301 || status === 302) && from.method === 'POST')) {
        return { url: next.toString(), method: 'GET', withBody: false };
    }
    return { url: next.toString(), method: from.method, withBody: from.withBody };
}
function lower(headers) {
    const out = {};
    for (const [k, v] of Object.entries(headers ?? {}))
        out[k.toLowerCase()] = v;
    return out;
}
function parseJson(text) {
    if (text.trim() === '')
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch {
        return text;
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
var external_node_crypto_default = /*#__PURE__*/__webpack_require__.n(external_node_crypto_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/client/upload.ts



/** Files larger than this go up in parts by default (the official CLI's 100 MiB). */
const DEFAULT_MULTIPART_THRESHOLD = 100 * 1024 * 1024;
/** Part size of a multipart upload by default. */
const DEFAULT_PART_SIZE = 100 * 1024 * 1024;
/** Bytes read per chunk while hashing. */
const HASH_CHUNK_BYTES = 1024 * 1024;
/**
 * The sha256 and size of a file, read in chunks into two buffers it reuses (never whole into
 * memory): the next chunk is read while the last one is hashed.
 */
async function hashFile(file) {
    const handle = await external_node_fs_default().promises.open(file, 'r');
    try {
        const hash = external_node_crypto_default().createHash('sha256');
        const buffers = [Buffer.allocUnsafe(HASH_CHUNK_BYTES), Buffer.allocUnsafe(HASH_CHUNK_BYTES)];
        let size = 0;
        let reading = handle.read(buffers[0], 0, HASH_CHUNK_BYTES, 0);
        for (let i = 0;; i ^= 1) {
            const { bytesRead } = await reading;
            if (bytesRead === 0)
                break;
            reading = handle.read(buffers[i ^ 1], 0, HASH_CHUNK_BYTES, size + bytesRead);
            hash.update(buffers[i].subarray(0, bytesRead));
            size += bytesRead;
        }
        return { sha256: hash.digest('hex'), size };
    }
    finally {
        await handle.close();
    }
}
function enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * Uploads one file: hashes it (unless `hashed` says what it hashes to), requests an upload
 * (`POST /files/{owner}/{repo}/` with its sha256, method `put` or `put_parts`), then sends the
 * bytes from disk with `PUT upload_url` — in parts above the threshold, finished with
 * `POST …/{identifier}/complete/`. A retried PUT reads the file again from its part's first
 * byte; a file whose size changed since it was hashed fails the upload instead of being sent.
 *
 * Only the sha256 is declared (the checksum of PUT uploads): the service verifies the bytes
 * against it before it answers, and also computing an md5 would double the client's CPU per GiB
 * without checking anything the sha256 does not.
 */
async function uploadFile(transport, owner, repo, file, options = {}) {
    const filename = options.filename ?? external_node_path_default().basename(file);
    const { sha256, size } = options.hashed ?? (await hashFile(file));
    const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    const partSize = Math.max(1, options.partSize ?? DEFAULT_PART_SIZE);
    const multipart = size > threshold;
    const request = {
        filename,
        sha256_checksum: sha256,
        method: multipart ? 'put_parts' : 'put',
    };
    // Requesting an upload slot twice only leaves an unused slot that expires: safe to retry.
    const { data: slot } = await transport.call({
        method: 'POST',
        path: `/files/${enc(owner)}/${enc(repo)}/`,
        json: request,
        idempotent: true,
    });
    if (!slot?.identifier || !slot.upload_url) {
        throw new Error(`POST /files/${owner}/${repo}/: the answer has no identifier or upload_url.`);
    }
    const headers = { ...(slot.upload_headers ?? {}) };
    const report = (sent) => options.onProgress?.({ filename, sentBytes: sent, totalBytes: size });
    if (!multipart) {
        await transport.call({
            method: 'PUT',
            path: withQuery(slot.upload_url, slot.upload_querystring),
            headers,
            body: { file, length: size, fileSize: size, onSent: report },
        });
        return { identifier: slot.identifier, filename, size, sha256, parts: 1 };
    }
    const parts = Math.ceil(size / partSize);
    for (let n = 1; n <= parts; n++) {
        const start = (n - 1) * partSize;
        const end = Math.min(size, start + partSize);
        const url = new URL(withQuery(slot.upload_url, slot.upload_querystring));
        url.searchParams.set('upload_id', slot.identifier);
        url.searchParams.set('part_number', String(n));
        await transport.call({
            method: 'PUT',
            path: url.toString(),
            headers,
            body: { file, start, length: end - start, fileSize: size, onSent: (sent) => report(start + sent) },
        });
    }
    await transport.call({
        method: 'POST',
        path: `/files/${enc(owner)}/${enc(repo)}/${enc(slot.identifier)}/complete/`,
        json: { upload_id: slot.identifier, complete: true },
    });
    return { identifier: slot.identifier, filename, size, sha256, parts };
}
/** The upload URL with the upload query string's parameters added where it does not have them already. */
function withQuery(url, querystring) {
    const merged = new URL(url);
    for (const [k, v] of new URLSearchParams(querystring ?? '')) {
        if (!merged.searchParams.has(k))
            merged.searchParams.set(k, v);
    }
    return merged.toString();
}

;// CONCATENATED MODULE: ./src/client/client.ts


function client_enc(segment) {
    return encodeURIComponent(segment);
}
/**
 * The repository API (Cloudsmith v1 shapes) with typed answers.
 *
 * Retries: every call retries network failures, 408, 429 (after `Retry-After`) and 5xx with
 * exponential backoff and full jitter, up to `retries` times — but a POST that is not known to be
 * idempotent is retried only when it cannot have been processed (connection refused, 429).
 * POSTs documented idempotent here, and so retried like reads:
 *
 * | call | why repeating is harmless |
 * | --- | --- |
 * | `exchangeOidc` | each exchange issues an independent token; a lost answer only wastes one |
 * | `uploadFile`'s `POST /files/…/` | an unused upload slot expires |
 * | `tagPackage` | adding, removing or replacing the same tags twice ends in the same state |
 *
 * Not retried once they may have reached the server: `createPackage`, `copyPackage`,
 * `movePackage`, `quarantinePackage` and the multipart `complete` call.
 */
class RepositoryClient {
    transport;
    constructor(options) {
        this.transport = new Transport(options);
    }
    /** The API root this client talks to. */
    get baseUrl() {
        return this.transport.baseUrl;
    }
    /** `GET /user/self/`: who the credential belongs to (`authenticated: false` when anonymous). */
    async whoami() {
        return (await this.transport.call({ method: 'GET', path: '/user/self/' })).data;
    }
    /**
     * `POST /openid/{org}/`: exchanges a CI OIDC token for a short-lived repository token. Retries
     * network failures, 429 and 5xx only; any other refusal fails at once with the server's detail.
     */
    async exchangeOidc(org, oidcToken, serviceSlug, options = {}) {
        const { data } = await this.transport.call({
            method: 'POST',
            path: `/openid/${client_enc(org)}/`,
            json: { oidc_token: oidcToken, service_slug: serviceSlug },
            idempotent: true,
            retryStatus: (status) => status === 429 || status >= 500,
            retries: options.retries,
        });
        if (!data || typeof data.token !== 'string' || data.token === '') {
            throw new Error(`POST /openid/${org}/: the answer carries no token.`);
        }
        const expiresAt = data.token_expires_at ? new Date(data.token_expires_at) : jwtExpiry(data.token);
        return {
            token: data.token,
            expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : undefined,
        };
    }
    /** Streams a file to the repository; see {@link uploadFile}. */
    async uploadFile(owner, repo, file, options) {
        return uploadFile(this.transport, owner, repo, file, options);
    }
    /** `POST /packages/{owner}/{repo}/upload/{format}/` with `package_file` and the format's fields. */
    async createPackage(owner, repo, format, body) {
        const path = `/packages/${client_enc(owner)}/${client_enc(repo)}/upload/${client_enc(format)}/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `GET /packages/{owner}/{repo}/{identifier}/`. */
    async getPackage(owner, repo, identifier) {
        return (await this.transport.call({ method: 'GET', path: packagePath(owner, repo, identifier) }))
            .data;
    }
    /**
     * `GET …/{identifier}/status/`; with `wait` the server may hold the answer up to that many
     * seconds until the status changes (the socket timeout is raised to match).
     */
    async getPackageStatus(owner, repo, identifier, options = {}) {
        const { data } = await this.transport.call({
            method: 'GET',
            path: `${packagePath(owner, repo, identifier)}status/`,
            query: { wait: options.wait },
            timeoutMs: options.wait ? (options.wait + 30) * 1000 : undefined,
        });
        return data;
    }
    /** `GET /packages/{owner}/{repo}/` with a search query; one page and its paging headers. */
    async listPackages(owner, repo, query = {}) {
        const reply = await this.transport.call({
            method: 'GET',
            path: `/packages/${client_enc(owner)}/${client_enc(repo)}/`,
            query: { query: query.query, sort: query.sort, page: query.page, page_size: query.pageSize },
        });
        return readPage(reply.data ?? [], reply.headers, query);
    }
    /** `POST …/{identifier}/copy/`: the new copy in `destination`. */
    async copyPackage(owner, repo, identifier, body) {
        const path = `${packagePath(owner, repo, identifier)}copy/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `POST …/{identifier}/move/`: the package, now in `destination`. */
    async movePackage(owner, repo, identifier, body) {
        const path = `${packagePath(owner, repo, identifier)}move/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `POST …/{identifier}/tag/`. */
    async tagPackage(owner, repo, identifier, body) {
        const path = `${packagePath(owner, repo, identifier)}tag/`;
        return (await this.transport.call({ method: 'POST', path, json: body, idempotent: true })).data;
    }
    /** `POST …/{identifier}/quarantine/`; `{release: true}` releases it. */
    async quarantinePackage(owner, repo, identifier, body = {}) {
        const path = `${packagePath(owner, repo, identifier)}quarantine/`;
        return (await this.transport.call({ method: 'POST', path, json: body })).data;
    }
    /** `GET /vulnerabilities/{owner}/{repo}/{package}/`: scan results of a package, newest first. */
    async listVulnerabilities(owner, repo, pkg) {
        const path = `/vulnerabilities/${client_enc(owner)}/${client_enc(repo)}/${client_enc(pkg)}/`;
        return (await this.transport.call({ method: 'GET', path })).data ?? [];
    }
    /** `GET /vulnerabilities/{owner}/{repo}/{package}/{identifier}/`: one scan with every finding. */
    async getVulnerabilities(owner, repo, pkg, identifier) {
        const path = `/vulnerabilities/${client_enc(owner)}/${client_enc(repo)}/${client_enc(pkg)}/${client_enc(identifier)}/`;
        return (await this.transport.call({ method: 'GET', path })).data;
    }
}
function packagePath(owner, repo, identifier) {
    return `/packages/${client_enc(owner)}/${client_enc(repo)}/${client_enc(identifier)}/`;
}
function header(headers, name) {
    const value = headers[name];
    const n = Number(Array.isArray(value) ? value[0] : value);
    return value !== undefined && Number.isFinite(n) ? n : undefined;
}
function readPage(items, headers, query) {
    const page = header(headers, 'x-pagination-page') ?? query.page ?? 1;
    return {
        items,
        page,
        pageSize: header(headers, 'x-pagination-pagesize') ?? query.pageSize ?? items.length,
        pageTotal: header(headers, 'x-pagination-pagetotal') ?? page,
        count: header(headers, 'x-pagination-count') ?? items.length,
    };
}
/** The `exp` of a JWT, read without verifying it (only to know when to refresh). */
function jwtExpiry(token) {
    const payload = token.split('.')[1];
    if (!payload)
        return undefined;
    try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
    }
    catch {
        return undefined;
    }
}

// EXTERNAL MODULE: ./src/config/names.ts
var names = __webpack_require__(6234);
// EXTERNAL MODULE: ./src/runtime/runtime.ts
var runtime_runtime = __webpack_require__(2536);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
var promises_default = /*#__PURE__*/__webpack_require__.n(promises_);
;// CONCATENATED MODULE: ./src/steps/npmrc.ts



/** The npm registry URL of a repository on an Airlock service: `{root}/npm/{owner}/{repo}/`. */
function npmRegistryUrl(apiUrl, owner, repo) {
    // The API may be given with its /v1 prefix; the registry lives beside it, not under it.
    const root = apiUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    return `${root}/npm/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/`;
}
/**
 * The lines of `existing` with `registry=` and this registry's `_authToken` replaced by the
 * given ones. The token line names `${AIRLOCK_API_KEY}`, which npm expands from the environment:
 * the secret never lands in the file, and a renewed token is picked up as it is exported.
 */
function npmrcText(existing, registry) {
    const authKey = `${registry.replace(/^https?:/, '')}:_authToken`;
    const kept = existing
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .filter((line) => !/^\s*registry\s*=/.test(line) && !line.trim().startsWith(`${authKey}`));
    return [...kept, `registry=${registry}`, `${authKey}=\${${names/* AuthEnv */.gG.ApiKey}}`].join('\n') + '\n';
}
/**
 * Writes (or updates) an `.npmrc` so that later steps' `npm`, `pnpm` and `yarn` use the
 * repository's registry with the token `auth` exported. Without a path it writes `.npmrc` in
 * the runner's temp folder and exports it as npm's user config (as setup-node does).
 */
async function writeNpmrc(runtime, apiUrl, settings) {
    const registry = npmRegistryUrl(apiUrl, settings.owner, settings.repo);
    const temp = runtime.getEnv('RUNNER_TEMP');
    const file = settings.path || external_node_path_default().join(temp || process.cwd(), '.npmrc');
    let existing = '';
    try {
        existing = await promises_default().readFile(file, 'utf8');
    }
    catch (err) {
        // Checked by shape: fs errors may come from another realm (test runners), where instanceof fails.
        if (err?.code !== 'ENOENT')
            throw err;
    }
    await promises_default().mkdir(external_node_path_default().dirname(external_node_path_default().resolve(file)), { recursive: true });
    await promises_default().writeFile(file, npmrcText(existing, registry), { mode: 0o600 });
    if (!settings.path)
        runtime.exportVariable(names/* AuthEnv */.gG.NpmUserConfig, file);
    runtime.setOutput(names/* AuthOutput */.o8.NpmRegistry, registry);
    runtime.info(`Wrote the npm registry ${registry} and its token (from ${names/* AuthEnv */.gG.ApiKey}) to ${file}.`);
    return file;
}

;// CONCATENATED MODULE: ./src/steps/retry.ts



/** A log line for a retry: what is retried, when, and why. */
function describeRetry(what, notice) {
    const reason = (0,errors/* errorMessage */.gJ)(notice.error);
    const seconds = (notice.delayMs / 1000).toFixed(1);
    return `${what} failed (${reason}); retry ${notice.retry} of ${notice.retries} in ${seconds} s.`;
}
/** Resolves with `promise`, or rejects with a retryable IdTokenError after `ms`. */
async function withTimeout(promise, ms) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new runtime_runtime/* IdTokenError */.Z4(`the ID-token request took longer than ${ms / 1000} s`, true)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
/**
 * The runtime's ID token for `audience`, retried on network failures, 5xx and timeouts with
 * backoff and jitter. A CI without ID tokens (IdTokenUnavailableError) fails at once.
 */
async function getIdTokenWithRetries(runtime, audience, retries, deps = {}) {
    return retry(() => withTimeout(runtime.getIdToken(audience), deps.idTokenTimeoutMs ?? 30_000), {
        ...deps.timing,
        retries,
        shouldRetry: (err) => (err instanceof runtime_runtime/* IdTokenError */.Z4 && err.retryable ? {} : false),
        onRetry: (notice) => runtime.info(describeRetry('Getting the OIDC ID token', notice)),
    });
}

;// CONCATENATED MODULE: ./src/steps/auth.ts






/**
 * Gets the CI's ID token (retrying network failures, 5xx and timeouts) and exchanges it for a
 * repository token (retrying network failures, 5xx and 429; any other refusal fails at once with
 * the server's detail). Both tokens are masked the moment they exist.
 */
async function exchangeIdToken(runtime, settings, deps = {}) {
    const idToken = await getIdTokenWithRetries(runtime, settings.audience, settings.retries, deps);
    runtime.setSecret(idToken);
    const client = new RepositoryClient({
        baseUrl: settings.apiUrl,
        retries: settings.retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
    });
    let exchanged;
    try {
        exchanged = await client.exchangeOidc(settings.org, idToken, settings.serviceSlug);
    }
    catch (err) {
        if (err instanceof errors/* ApiError */.hD && err.status < 500 && err.status !== 429) {
            throw new Error(`The repository refused the OIDC exchange for org '${settings.org}' and service '${settings.serviceSlug}': ${err.message}. ` +
                'Check that the organisation trusts this issuer with claims that match this workflow, that the ' +
                `service account is attached to that provider, and that its audience is '${settings.audience}'.`, { cause: err });
        }
        throw err;
    }
    runtime.setSecret(exchanged.token);
    return exchanged;
}
/**
 * The `auth` step: OIDC exchange when `org` and `service-slug` are set (falling back to
 * `api-key` only when the CI offers no ID token), then masks the token, checks it with
 * `GET /user/self/`, sets the outputs and exports what later steps need.
 */
async function authenticate(runtime, settings, deps = {}) {
    let token;
    let expiresAt;
    let method = 'api-key';
    if (settings.org && settings.serviceSlug) {
        try {
            ({ token, expiresAt } = await exchangeIdToken(runtime, { ...settings, org: settings.org, serviceSlug: settings.serviceSlug }, deps));
            method = 'oidc';
        }
        catch (err) {
            if (!(err instanceof runtime_runtime/* IdTokenUnavailableError */.$J && settings.apiKey))
                throw err;
            runtime.warning(`${err.message.split('. ')[0]}. Using the api-key input instead of OIDC.`);
            token = settings.apiKey;
        }
    }
    else if (settings.apiKey) {
        token = settings.apiKey;
    }
    else {
        throw new Error('Nothing to authenticate with: give org and service-slug (OIDC) or api-key.');
    }
    runtime.setSecret(token);
    const identity = await verifyToken(runtime, settings.apiUrl, token, settings.retries, deps);
    const expiry = expiresAt?.toISOString() ?? '';
    runtime.setOutput(names/* AuthOutput */.o8.Token, token);
    runtime.setOutput(names/* AuthOutput */.o8.ExpiresAt, expiry);
    runtime.exportVariable(names/* AuthEnv */.gG.ApiUrl, settings.apiUrl);
    runtime.exportVariable(names/* AuthEnv */.gG.ApiKey, token);
    runtime.exportVariable(names/* AuthEnv */.gG.TokenExpiresAt, expiry);
    if (method === 'oidc') {
        runtime.exportVariable(names/* AuthEnv */.gG.Org, settings.org ?? '');
        runtime.exportVariable(names/* AuthEnv */.gG.ServiceSlug, settings.serviceSlug ?? '');
        runtime.exportVariable(names/* AuthEnv */.gG.Audience, settings.audience);
    }
    if (settings.npm)
        await writeNpmrc(runtime, settings.apiUrl, settings.npm);
    const who = identity.slug ?? identity.name ?? 'an unnamed account';
    runtime.info(method === 'oidc'
        ? `Authenticated to ${settings.apiUrl} as ${who} through OIDC; the token expires ${expiry || 'when the server says'}.`
        : `Authenticated to ${settings.apiUrl} as ${who} with an API key.`);
    return { token, expiresAt, method, identity };
}
/** Checks a credential with `GET /user/self/`; throws unless the repository knows it. */
async function verifyToken(runtime, apiUrl, token, retries = names/* AuthDefaults */.hs.Retries, deps = {}) {
    const client = new RepositoryClient({
        baseUrl: apiUrl,
        apiKey: token,
        retries,
        timing: deps.timing,
        now: deps.now,
        onRetry: (notice) => runtime.info(describeRetry(`${notice.method} ${notice.path}`, notice)),
    });
    const self = await client.whoami();
    if (!self?.authenticated) {
        throw new Error(`The repository at ${apiUrl} did not accept the token: GET /user/self/ says it is not authenticated.`);
    }
    return self;
}
/** A token with less than this left is exchanged again before use. */
const REFRESH_MARGIN_MS = (/* unused pure expression or super */ null && (5 * 60_000));
/**
 * For steps that run after `auth`: when `settings.apiKey` is the token `auth` exported and it has
 * under five minutes left, exchanges a new ID token (the same path as `auth`), masks it, exports
 * it in place of the old one and returns the settings with it. Any other credential (a key given
 * explicitly, a token without a known expiry) is returned unchanged.
 */
async function ensureFreshToken(runtime, settings, deps = {}) {
    if (settings.apiKey !== runtime.getEnv(AuthEnv.ApiKey))
        return settings;
    const expiry = Date.parse(runtime.getEnv(AuthEnv.TokenExpiresAt) ?? '');
    if (Number.isNaN(expiry))
        return settings;
    const left = expiry - (deps.now ?? Date.now)();
    if (left >= REFRESH_MARGIN_MS)
        return settings;
    const org = runtime.getEnv(AuthEnv.Org);
    const serviceSlug = runtime.getEnv(AuthEnv.ServiceSlug);
    if (!org || !serviceSlug) {
        runtime.warning(`The repository token expires in ${Math.max(0, Math.round(left / 1000))} s and cannot be renewed: ${AuthEnv.Org} and ${AuthEnv.ServiceSlug} are not set (run the auth action with OIDC).`);
        return settings;
    }
    const { token, expiresAt } = await exchangeIdToken(runtime, {
        apiUrl: settings.apiUrl,
        org,
        serviceSlug,
        audience: runtime.getEnv(AuthEnv.Audience) || AuthDefaults.Audience,
        retries: settings.retries ?? AuthDefaults.Retries,
    }, deps);
    runtime.exportVariable(AuthEnv.ApiKey, token);
    runtime.exportVariable(AuthEnv.TokenExpiresAt, expiresAt?.toISOString() ?? '');
    runtime.info(`Renewed the repository token (${Math.max(0, Math.round(left / 1000))} s were left).`);
    return { ...settings, apiKey: token };
}
/**
 * A credential source for a client that may outlive the token (a long wait for a scan): each
 * call returns the current token, renewing it through {@link ensureFreshToken} when it is about
 * to expire. Concurrent calls share one renewal.
 */
function freshTokenSource(runtime, settings, deps = {}) {
    let current = settings;
    let pending;
    return async () => {
        pending ??= ensureFreshToken(runtime, current, deps).finally(() => {
            pending = undefined;
        });
        current = await pending;
        return current.apiKey;
    };
}


/***/ })

};
;